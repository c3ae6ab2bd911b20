import { createHash, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from '../errors.js';
import type { HostKind } from '../world/faults.js';
import type { World } from '../world/world.js';
import type { ApiResponse, Router } from './router.js';

/** Every Heroku API shares this server; the path tells which one a request is for. */
export function hostKindOf(path: string): HostKind {
  if (/^\/(client|postgres|data)\//.test(path)) return 'data';
  if (path === '/connections' || /^\/(auth|api\/v3)\//.test(path)) return 'connect';
  if (/^\/(api\/v4|v1)\//.test(path)) return 'status';
  return 'platform';
}

export interface Incoming {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
}

const ACCEPT_V3 = /application\/vnd\.heroku\+json;\s*version=3/;
const NO_ROUTE =
  'The requested API endpoint was not found. Are you using the right HTTP verb (i.e. `GET` vs. `POST`), and did you specify your intended version with the `Accept` header?';

/**
 * One request through Heroku's gates, in order: auth (not the status feeds), the Platform API's
 * Accept version, the rate limit (Platform and data API; /account/rate-limits is free), injected
 * 5xx faults, then the route. Errors come back in the shape of the host that was asked (`hostKindOf`).
 */
export function serve(world: World, router: Router, token: string, baseUrl: string, host: HostKind, incoming: Incoming): ApiResponse {
  try {
    world.settle();
    passGates(world, token, host, incoming);
    return dispatch(world, router, baseUrl, incoming);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return errorResponse(error, host === 'connect' || host === 'status' ? 'message' : 'heroku');
  }
}

function passGates(world: World, token: string, host: HostKind, incoming: Incoming): void {
  if (host !== 'status') {
    if (incoming.headers.authorization !== `Bearer ${token}`) throw new ApiError(401, 'unauthorized', 'Invalid credentials provided.');
    if (host === 'platform' && !ACCEPT_V3.test(incoming.headers.accept ?? '')) {
      throw new ApiError(406, 'not_acceptable', "Please specify a version along with Heroku's API MIME type. For example, `Accept: application/vnd.heroku+json; version=3`.");
    }
  }
  if ((host === 'platform' || host === 'data') && incoming.path !== '/account/rate-limits') {
    if (world.faults.takeBurst() || !world.rateLimit.take()) {
      throw new ApiError(429, 'rate_limit', 'Your account reached the API rate limit\nPlease wait a few minutes before making new requests', {
        url: 'https://devcenter.heroku.com/articles/platform-api-reference#rate-limits',
      });
    }
  }
  if (world.faults.failsNow(host)) throw new ApiError(503, 'unavailable', 'The service is temporarily unavailable. Please try again later.');
}

/** Runs the handler of the matching route (404 when none matches). */
export function dispatch(world: World, router: Router, baseUrl: string, incoming: Incoming): ApiResponse {
  const match = router.match(incoming.method, incoming.path);
  if (!match) throw new ApiError(404, 'not_found', NO_ROUTE);
  return match.handler({ world, baseUrl, ...incoming, param: (name) => match.params[name] ?? '' });
}

/** Platform and data API: `{id, message}`; Heroku Connect and the status feeds: `{message}`. */
export function errorResponse(error: ApiError, shape: 'heroku' | 'message'): ApiResponse {
  const body = shape === 'heroku' ? { id: error.id, message: error.message, ...error.extra } : { message: error.message, ...error.extra };
  return { status: error.status, body, headers: error.headers };
}

/** Headers every Heroku API response carries. */
export function herokuHeaders(world: World, host: HostKind): Record<string, string> {
  return host === 'status' ? {} : { 'Request-Id': randomUUID(), 'RateLimit-Remaining': String(world.rateLimit.remaining()) };
}

/** The status feeds answer `If-None-Match` with 304, so pollers can be polite. */
export function withEtag(response: ApiResponse, ifNoneMatch: string | undefined): ApiResponse {
  if (response.status !== 200) return response;
  const etag = `"${createHash('sha1').update(JSON.stringify(response.body)).digest('hex').slice(0, 20)}"`;
  const headers = { ...response.headers, ETag: etag, 'Cache-Control': 'no-cache' };
  return ifNoneMatch === etag ? { status: 304, headers } : { ...response, headers };
}
