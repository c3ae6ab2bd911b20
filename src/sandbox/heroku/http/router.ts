import type { IncomingHttpHeaders } from 'node:http';
import type { World } from '../world/world.js';

export interface ApiRequest {
  world: World;
  method: string;
  path: string;
  /** a `:name` path segment (always present when the route matched) */
  param(name: string): string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
  /** this server's base URL: Connect discovery and status links point back at it */
  baseUrl: string;
}

export interface ApiResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (req: ApiRequest) => ApiResponse;

export interface Route {
  method: string;
  segments: string[];
  handler: Handler;
}

/** `route('GET', '/apps/:app', handler)`: `:name` segments become `req.param('name')`. */
export const route = (method: string, pattern: string, handler: Handler): Route => ({
  method,
  segments: pattern.split('/').filter(Boolean),
  handler,
});

export const ok = (body: unknown, status = 200): ApiResponse => ({ status, body });

export type Match = { handler: Handler; params: Record<string, string> } | undefined;

export class Router {
  constructor(private readonly routes: Route[]) {}

  /** Heroku answers a path with the wrong verb like an unknown path (404), so only a full match counts. */
  match(method: string, path: string): Match {
    // Decoded once here, not once per candidate route.
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    for (const candidate of this.routes) {
      const params = candidate.method === method ? matchSegments(candidate.segments, parts) : undefined;
      if (params) return { handler: candidate.handler, params };
    }
    return undefined;
  }
}

function matchSegments(segments: string[], parts: string[]): Record<string, string> | undefined {
  if (segments.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, segment] of segments.entries()) {
    const part = parts[i] ?? '';
    if (segment.startsWith(':')) params[segment.slice(1)] = part;
    else if (segment !== part) return undefined;
  }
  return params;
}
