/**
 * Every failure of a Heroku call becomes a HerokuApiError that keeps what Heroku said (`id`,
 * `message`, status, `Request-Id`), plus a reason from a closed set that callers act on.
 */

export type HerokuApi = 'platform' | 'data' | 'connect';

export type HerokuErrorReason =
  /** Repeat the request with `confirm: <app>` (Heroku answers 400 or 423; matched on `id`). */
  | 'confirmation_required'
  /** The account's token bucket is empty (429), after the limiter's own retries. */
  | 'rate_limit'
  /** 404: unknown, or not provisioned yet (a new database's info and wait_status). */
  | 'not_found'
  /** 409: the action is not allowed in the resource's current state (Connect pause, resume, reload...). */
  | 'conflict'
  | 'unauthorized'
  | 'forbidden'
  /** 400 and 422: Heroku refused the request as it stands (bad plan, upgrade not prepared...). */
  | 'invalid'
  /** 5xx, a timeout or a network failure, after retries where retrying was safe. */
  | 'unavailable'
  /** A successful answer whose body is not what the API documents. */
  | 'malformed_response'
  /** Heroku Connect discovery found no connection, or several, for an app. */
  | 'no_connection'
  | 'multiple_connections'
  | 'other';

export interface HerokuApiErrorInit {
  api: HerokuApi;
  /** Heroku's error id (`not_found`, `rate_limit`, ...), or one derived from the status when the API sends none. */
  id: string;
  message: string;
  status?: number;
  requestId?: string;
  method?: string;
  /** Path of the request (no query string, never credentials). */
  path?: string;
  reason?: HerokuErrorReason;
}

export class HerokuApiError extends Error {
  readonly api: HerokuApi;
  readonly id: string;
  readonly status: number | undefined;
  readonly requestId: string | undefined;
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly reason: HerokuErrorReason;

  constructor(init: HerokuApiErrorInit) {
    super(init.message);
    this.name = 'HerokuApiError';
    this.api = init.api;
    this.id = init.id;
    this.status = init.status;
    this.requestId = init.requestId;
    this.method = init.method;
    this.path = init.path;
    this.reason = init.reason ?? reasonFor(init.id, init.status);
  }
}

/** Heroku's ids by status (docs/reference/heroku-platform-and-postgres-api.md, "Error bodies"), for APIs that answer without an `id`. */
const ID_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  402: 'delinquent',
  403: 'forbidden',
  404: 'not_found',
  406: 'not_acceptable',
  409: 'conflict',
  410: 'gone',
  416: 'requested_range_not_satisfiable',
  422: 'unprocessable_entity',
  423: 'locked',
  429: 'rate_limit',
};

export function idForStatus(status: number): string {
  return ID_BY_STATUS[status] ?? (status >= 500 ? 'service_unavailable' : 'unknown');
}

function reasonFor(id: string, status: number | undefined): HerokuErrorReason {
  if (id === 'confirmation_required') return 'confirmation_required';
  if (id === 'rate_limit' || status === 429) return 'rate_limit';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 400 || status === 422) return 'invalid';
  if (status === undefined || status >= 500) return 'unavailable';
  return 'other';
}

// Plain booleans, not type guards: a false answer says nothing about whether it is a HerokuApiError.
const hasReason = (reason: HerokuErrorReason) => (error: unknown): boolean => error instanceof HerokuApiError && error.reason === reason;

export const isConfirmationRequired = hasReason('confirmation_required');
export const isRateLimited = hasReason('rate_limit');
export const isNotFound = hasReason('not_found');
export const isConflict = hasReason('conflict');
export const isUnavailable = hasReason('unavailable');
export const isForbidden = hasReason('forbidden');
