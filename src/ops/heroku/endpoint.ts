import type { CallOptions, Method, RequestOptions } from './http.js';

/**
 * How the API clients name a request, apart from sending it (http.ts): a runbook's plan lists its
 * calls through these without loading an HTTP client (`connect-ops plan`).
 */

/** The request for `method path` on an API's base URL, with the caller's priority. */
export function endpoint(base: string, path: string, options: CallOptions | undefined, method: Method = 'GET', json?: unknown): RequestOptions {
  return { url: `${base.replace(/\/+$/, '')}${path}`, method, json, priority: options?.priority };
}

/** Encodes one path segment (an app name, an add-on id...). */
export const seg = (value: string | number): string => encodeURIComponent(String(value));
