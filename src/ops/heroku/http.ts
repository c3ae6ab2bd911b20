import { randomUUID } from 'node:crypto';
import got, { HTTPError, RequestError, type Got } from 'got';
import type { z } from 'zod';
import type { Logger } from '../../log.js';
import { ReadRefused, type Limiter, type Priority } from '../limits.js';
import { checkPassLease, PassLeaseExpired } from '../pass-lease.js';
import { HerokuApiError, idForStatus, type HerokuApi } from './errors.js';
import { errorBodySchema } from './types.js';

// Kept where the API clients' modules can import them without loading got (`connect-ops plan`).
export { endpoint, seg } from './endpoint.js';

/**
 * The one place that talks HTTP to Heroku: every request goes through a limiter, carries the
 * API's headers, retries only what is safe to retry, and fails with a HerokuApiError.
 */

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface CallOptions {
  /** `interactive` when a user is waiting in Slack; polling stays `background` (the default). */
  priority?: Priority;
}

export interface RequestOptions extends CallOptions {
  method?: Method;
  /** Absolute URL (`endpoint` builds it from an API's base). */
  url: string;
  json?: unknown;
  headers?: Record<string, string>;
  searchParams?: Record<string, string | number | boolean | undefined>;
  /** The request costs no rate-limit token (GET /account/rate-limits). */
  free?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON, the raw text when it is not JSON, or undefined when empty. */
  body: unknown;
}

export interface HerokuHttp {
  send(options: RequestOptions): Promise<HttpResponse>;
  /** Sends and validates the body: a malformed answer becomes a `malformed_response` error. */
  request<S extends z.ZodType>(schema: S, options: RequestOptions): Promise<z.output<S>>;
  /** Validates the body of a response `send` returned. */
  parse<S extends z.ZodType>(schema: S, response: HttpResponse, request: RequestOptions): z.output<S>;
  /** GETs a list, following `Next-Range` through every page unless `range` asks for one page. */
  list<S extends z.ZodType>(item: S, options: RequestOptions & { range?: string }): Promise<Array<z.output<S>>>;
}

export interface HttpOptions {
  api: HerokuApi;
  token: string;
  limiter: Limiter;
  logger: Logger;
  /** Headers this API needs on every request (Accept, Heroku-Client...). */
  headers: Record<string, string>;
  /** Receives each response's `RateLimit-Remaining` (the Platform and data APIs send it). */
  observeRemaining?: (remaining: number) => Promise<void>;
  /** Chains `Request-Id`s across calls, as the Heroku CLI does. */
  requestIds?: RequestIdChain;
  timeScale?: number;
  timeoutMs?: number;
  /** Told of each request as it is made, in the caller's async context (tests hold steps to their declared calls with it). */
  onRequest?: RequestObserver;
  /** Counts what Heroku answered and what was tried again (for /metrics). */
  metrics?: HttpMetrics;
}

/**
 * What /metrics counts of the HTTP traffic to Heroku: every answer by status (a 429 included), an
 * attempt that got no answer at all, and every retry with its reason.
 */
export interface HttpMetrics {
  response(answer: { api: HerokuApi; method: string; status: number | 'network_error' }): void;
  retry(retry: { api: HerokuApi; reason: RetryReason }): void;
}

/** `rate_limited`: a 429 the limiter sends again after its backoff; the others: got's retries of an idempotent GET. */
export type RetryReason = 'rate_limited' | 'server_error' | 'network_error';

/** Sees every request a client sends: its API, verb and absolute URL. */
export type RequestObserver = (request: { api: HerokuApi; method: Method; url: string }) => void;

const API_NAME: Record<HerokuApi, string> = { platform: 'Heroku Platform API', data: 'Heroku Postgres API', connect: 'Heroku Connect API' };

// Retried on GET/HEAD only: a mutation is never repeated blindly; the engine re-checks live state.
const RETRY_STATUS_CODES = [500, 502, 503, 504, 520, 521, 522, 524];

export function createHttp(options: HttpOptions): HerokuHttp {
  const { api, limiter, logger } = options;
  const timeScale = options.timeScale ?? 1;
  const client: Got = got.extend({
    headers: { ...options.headers, Authorization: `Bearer ${options.token}`, 'User-Agent': 'connect-ops' },
    responseType: 'text',
    timeout: { request: options.timeoutMs ?? 30_000 },
    retry: {
      limit: 2,
      methods: ['GET', 'HEAD'],
      statusCodes: RETRY_STATUS_CODES,
      calculateDelay: ({ computedValue }) => computedValue / timeScale,
    },
    hooks: {
      beforeRequest: [
        (request) => {
          if (options.requestIds) request.headers['request-id'] = options.requestIds.next();
        },
      ],
      beforeRetry: [
        (error, retryCount) => {
          // An attempt without an answer is counted here when it is retried, in send() when it is the last.
          if (!error.response) options.metrics?.response({ api, method: error.options.method, status: 'network_error' });
          options.metrics?.retry({ api, reason: error.response ? 'server_error' : 'network_error' });
          logger.warn({ api, method: error.options.method, path: pathOf(error.options.url), retryCount, err: error.message }, 'retrying Heroku request');
        },
      ],
      afterResponse: [
        (response) => {
          // Every answer, those got retries included (hooks see a response before its status is judged).
          options.metrics?.response({ api, method: response.request.options.method, status: response.statusCode });
          const requestId = header(response.headers, 'request-id');
          if (requestId) options.requestIds?.track(requestId);
          const remaining = Number(header(response.headers, 'ratelimit-remaining') ?? NaN);
          if (options.observeRemaining && Number.isFinite(remaining)) {
            options.observeRemaining(remaining).catch((error: unknown) => logger.warn({ api, err: error }, 'could not correct the rate-limit budget'));
          }
          const warning = header(response.headers, 'x-heroku-warning') ?? header(response.headers, 'warning-message');
          if (warning) logger.warn({ api, path: pathOf(response.url), warning }, 'Heroku warning');
          return response;
        },
      ],
    },
  });

  const send = async (request: RequestOptions): Promise<HttpResponse> => {
    const method = request.method ?? 'GET';
    const path = pathOf(request.url);
    options.onRequest?.({ api, method, url: request.url });
    const started = Date.now();
    const timeoutMs = options.timeoutMs ?? 30_000;
    // Typed inside the job, so the limiter sees a 429's status and retries it. A run's pass sends
    // nothing once its job's lease is over (another process may own the run), and gives up waiting
    // for an answer when the lease ends: the process that takes the run over re-probes.
    let attempts = 0;
    const attempt = () => {
      // The limiter runs the task again only after a 429 (limits.ts): that is a rate-limit retry.
      if (attempts++ > 0) options.metrics?.retry({ api, reason: 'rate_limited' });
      const left = checkPassLease();
      return client(request.url, {
        method,
        json: request.json,
        headers: request.headers,
        searchParams: definedOnly(request.searchParams),
        timeout: { request: Math.min(timeoutMs, left) },
      }).catch((error: unknown) => {
        if (error instanceof RequestError && !error.response) options.metrics?.response({ api, method, status: 'network_error' });
        throw toHerokuError(api, method, path, error);
      });
    };
    const response = await limiter.schedule({ priority: request.priority, free: request.free }, attempt).catch((error: unknown) => {
      // Not sent at all: the limiter kept the budget for runs. The caller says so as it is.
      if (error instanceof ReadRefused) throw error;
      if (error instanceof PassLeaseExpired) throw error;
      const failure = toHerokuError(api, method, path, error);
      logger.warn({ api, method, path, status: failure.status, id: failure.id, requestId: failure.requestId }, `Heroku request failed: ${failure.message}`);
      throw failure;
    });
    const requestId = header(response.headers, 'request-id');
    logger.debug({ api, method, path, status: response.statusCode, requestId, ms: Date.now() - started }, 'Heroku request');
    return { status: response.statusCode, headers: response.headers, body: parseJson(response.body) };
  };

  const validate = <S extends z.ZodType>(schema: S, response: HttpResponse, request: RequestOptions): z.output<S> => {
    const result = schema.safeParse(response.body);
    if (result.success) return result.data;
    const issues = result.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
    throw new HerokuApiError({
      api,
      id: 'malformed_response',
      reason: 'malformed_response',
      message: `${API_NAME[api]} answered ${request.method ?? 'GET'} ${pathOf(request.url)} with an unexpected body (${issues.join('; ')})`,
      status: response.status,
      requestId: header(response.headers, 'request-id'),
      method: request.method ?? 'GET',
      path: pathOf(request.url),
    });
  };

  return {
    send,
    request: async (schema, request) => validate(schema, await send(request), request),
    parse: validate,
    async list(item, request) {
      const items: Array<z.output<typeof item>> = [];
      const page = item.array();
      let range = request.range;
      for (;;) {
        const headers = range ? { ...request.headers, Range: range } : request.headers;
        const response = await send({ ...request, headers });
        items.push(...validate(page, response, request));
        const next = header(response.headers, 'next-range');
        // A caller-chosen range asks for that page only (e.g. the newest release).
        if (response.status !== 206 || !next || request.range) return items;
        range = next;
      }
    },
  };
}

/**
 * `Request-Id` values, newest first: this call's id, then those earlier answers carried. The Heroku
 * CLI caps the header at 7 KB for one command; a bot runs for weeks, so it keeps far fewer.
 */
export class RequestIdChain {
  private ids: string[] = [];
  constructor(private readonly maxHeaderBytes = 512) {}

  next(): string {
    this.track(randomUUID());
    return this.ids.join(',');
  }

  track(value: string): void {
    const fresh = value.split(',').map((s) => s.trim()).filter((id) => id && !this.ids.includes(id));
    this.ids = [...fresh, ...this.ids];
    while (this.ids.length > 1 && this.ids.join(',').length > this.maxHeaderBytes) this.ids.pop();
  }
}

/** Joins a base URL (with or without a trailing slash) and an absolute path. */

function toHerokuError(api: HerokuApi, method: string, path: string, error: unknown): HerokuApiError {
  if (error instanceof HerokuApiError) return error;
  if (error instanceof HTTPError) {
    const { response } = error;
    const parsed = errorBodySchema.safeParse(parseJson(response.body));
    const fields = parsed.success ? parsed.data : {};
    const text = [fields.message, fields.error].find((v) => v !== undefined && v.length > 0);
    return new HerokuApiError({
      api,
      id: fields.id ?? idForStatus(response.statusCode),
      message: text ?? `${API_NAME[api]} answered ${method} ${path} with ${response.statusCode} ${response.statusMessage ?? ''}`.trim(),
      status: response.statusCode,
      requestId: header(response.headers, 'request-id'),
      method,
      path,
    });
  }
  const code = error instanceof RequestError ? error.code : undefined;
  const reason = error instanceof Error ? error.message : String(error);
  return new HerokuApiError({ api, id: code ?? 'network_error', reason: 'unavailable', message: `${API_NAME[api]} is unreachable (${method} ${path}): ${reason}`, method, path });
}

function parseJson(text: unknown): unknown {
  if (typeof text !== 'string' || text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function pathOf(url: string | URL | undefined): string {
  if (!url) return '';
  try {
    return new URL(String(url)).pathname;
  } catch {
    return String(url);
  }
}

function definedOnly(params: RequestOptions['searchParams']): Record<string, string | number | boolean> | undefined {
  if (!params) return undefined;
  return Object.fromEntries(Object.entries(params).filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined));
}
