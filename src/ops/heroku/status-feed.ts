import got, { type Got, RequestError, TimeoutError } from 'got';
import { z } from 'zod';

/**
 * The Heroku Status API v4 (docs/reference/heroku-status-feeds.md, "Heroku Status API endpoints" to "How maintenance appears in the v4 API"), and the polite GET both status feeds share:
 * a timeout, no retries (the next poll is the retry), the limiter's schedule, and conditional
 * requests with the ETag / Last-Modified each URL last answered with.
 */

export interface FeedClientOptions {
  baseUrl: string;
  timeoutMs: number;
  /** The Bottleneck limiter's `schedule`; by default the request runs at once. */
  schedule?: <T>(fn: () => Promise<T>) => Promise<T>;
}

export type FeedFailure = 'timeout' | 'unreachable' | 'http' | 'invalid';

/** A status feed that could not be read: which feed, which URL, and why. Never a crash. */
export class FeedError extends Error {
  constructor(
    readonly feed: string,
    readonly url: string,
    readonly failure: FeedFailure,
    detail: string,
  ) {
    super(`${feed}: ${detail} (${url})`);
    this.name = 'FeedError';
  }
}

interface Validators {
  etag?: string;
  lastModified?: string;
  body: unknown;
}

export type FeedGet = <T>(path: string, schema: z.ZodType<T>) => Promise<T>;

/** A GET for one feed that validates with zod and answers a 304 with the body it validated before. */
export function createFeedGet(feed: string, options: FeedClientOptions): FeedGet {
  const http: Got = got.extend({
    timeout: { request: options.timeoutMs },
    retry: { limit: 0 },
    throwHttpErrors: false,
    headers: { accept: 'application/json', 'user-agent': 'connect-ops maintenance watcher' },
  });
  const schedule = options.schedule ?? (<T>(fn: () => Promise<T>) => fn());
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const seen = new Map<string, Validators>();

  return async function get<T>(path: string, schema: z.ZodType<T>): Promise<T> {
    const url = `${baseUrl}${path}`;
    const last = seen.get(url);
    const headers: Record<string, string> = {};
    if (last?.etag) headers['if-none-match'] = last.etag;
    if (last?.lastModified) headers['if-modified-since'] = last.lastModified;

    let response;
    try {
      response = await schedule(() => http.get(url, { headers }));
    } catch (error) {
      if (error instanceof TimeoutError) throw new FeedError(feed, url, 'timeout', `no answer within ${options.timeoutMs} ms`);
      const detail = error instanceof RequestError ? `${error.code}: ${error.message}` : String(error);
      throw new FeedError(feed, url, 'unreachable', detail);
    }
    if (response.statusCode === 304 && last) return last.body as T;
    if (response.statusCode !== 200) throw new FeedError(feed, url, 'http', `answered HTTP ${response.statusCode}`);

    let json: unknown;
    try {
      json = JSON.parse(response.body);
    } catch {
      throw new FeedError(feed, url, 'invalid', 'answered with something that is not JSON');
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new FeedError(feed, url, 'invalid', `unexpected payload: ${describeIssues(parsed.error)}`);

    const etag = response.headers.etag;
    const lastModified = response.headers['last-modified'];
    if (etag || lastModified) seen.set(url, { etag, lastModified, body: parsed.data });
    else seen.delete(url);
    return parsed.data;
  };
}

function describeIssues(error: z.ZodError): string {
  const shown = error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(top)'} ${i.message}`);
  const more = error.issues.length - shown.length;
  return shown.join('; ') + (more > 0 ? ` (and ${more} more)` : '');
}

const timestamp = z.iso.datetime({ offset: true });
// One public client types ids as strings; accept both and keep numbers.
const itemId = z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]);

const statusUpdateSchema = z.object({
  id: itemId.optional(),
  created_at: timestamp,
  update_type: z.string(),
  contents: z.string().nullish().transform((c) => c ?? ''),
});

const statusItemSchema = z.object({
  id: itemId,
  title: z.string(),
  created_at: timestamp,
  /** `open`, `upcoming`, `resolved`; absent from older payloads. The `resolved` flag is unreliable (7.3) and dropped. */
  state: z.string().optional(),
  full_url: z.string().optional(),
  systems: z.array(z.object({ name: z.string(), status: z.string().optional() })).optional(),
  tags: z.array(z.string()).optional(),
  updates: z.array(statusUpdateSchema).default([]),
});

const currentStatusSchema = z.object({
  status: z.array(z.object({ system: z.string(), status: z.string() })),
  incidents: z.array(statusItemSchema),
  scheduled: z.array(statusItemSchema).default([]),
});

export type StatusUpdate = z.infer<typeof statusUpdateSchema>;
export type StatusItem = z.infer<typeof statusItemSchema>;
export type CurrentStatus = z.infer<typeof currentStatusSchema>;

export interface StatusFeedClient {
  /** `GET /api/v4/current-status`: system colors, open incidents and scheduled maintenance. */
  currentStatus(): Promise<CurrentStatus>;
  /** `GET /api/v4/incidents`: the history list. */
  incidents(): Promise<StatusItem[]>;
}

export const HEROKU_STATUS_FEED = 'Heroku status';

/** Client for the Heroku Status API v4; `baseUrl` is the site, e.g. https://status.heroku.com. */
export function createStatusFeedClient(options: FeedClientOptions): StatusFeedClient {
  const get = createFeedGet(HEROKU_STATUS_FEED, options);
  return {
    currentStatus: () => get('/api/v4/current-status', currentStatusSchema),
    incidents: () => get('/api/v4/incidents', z.array(statusItemSchema)),
  };
}
