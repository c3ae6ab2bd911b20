import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback stand-in for status.heroku.com and the Trust API, serving whatever payloads a test
 * puts on it (fixture-shaped JSON, or a raw string), with ETag or Last-Modified validators.
 */

export type FeedRoute = 'current-status' | 'incidents' | 'maintenances';

const ROUTES: Record<string, FeedRoute> = {
  '/api/v4/current-status': 'current-status',
  '/api/v4/incidents': 'incidents',
  '/v1/maintenances': 'maintenances',
};

export interface FeedServer {
  /** The Heroku status site, e.g. http://127.0.0.1:1234 */
  statusUrl: string;
  /** The Trust API with its version, e.g. http://127.0.0.1:1234/v1 */
  trustUrl: string;
  /** What each route answers: JSON-able values, or a string sent as is. */
  payloads: Record<FeedRoute, unknown>;
  /** Routes that answer with this HTTP status instead. */
  failures: Partial<Record<FeedRoute, number>>;
  /** Routes that answer only after this many milliseconds. */
  delays: Partial<Record<FeedRoute, number>>;
  validators: 'etag' | 'last-modified' | 'none';
  requests: Array<{ route: FeedRoute; url: string; headers: IncomingHttpHeaders; status: number }>;
  close(): Promise<void>;
}

export async function startFeedServer(payloads: Partial<Record<FeedRoute, unknown>> = {}): Promise<FeedServer> {
  const lastModified = new Map<string, string>();
  const pending = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = ROUTES[url.pathname];
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    const record = (status: number) => feeds.requests.push({ route, url: req.url ?? '', headers: req.headers, status });
    const answer = () => {
      const failure = feeds.failures[route];
      if (failure) {
        record(failure);
        res.writeHead(failure, { 'content-type': 'text/plain' }).end('unavailable');
        return;
      }
      const payload = feeds.payloads[route];
      const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
      const etag = `"${createHash('sha1').update(body).digest('hex')}"`;
      if (!lastModified.has(body)) lastModified.set(body, new Date(Date.UTC(2026, 0, 1) + lastModified.size * 60_000).toUTCString());
      const modified = lastModified.get(body) ?? '';
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (feeds.validators === 'etag') headers.etag = etag;
      if (feeds.validators === 'last-modified') headers['last-modified'] = modified;
      const unchanged =
        (feeds.validators === 'etag' && req.headers['if-none-match'] === etag) ||
        (feeds.validators === 'last-modified' && req.headers['if-modified-since'] === modified);
      record(unchanged ? 304 : 200);
      if (unchanged) res.writeHead(304, headers).end();
      else res.writeHead(200, headers).end(body);
    };
    const delay = feeds.delays[route];
    if (!delay) return answer();
    const timer = setTimeout(() => {
      pending.delete(timer);
      answer();
    }, delay);
    pending.add(timer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const feeds: FeedServer = {
    statusUrl: base,
    trustUrl: `${base}/v1`,
    payloads: { 'current-status': { status: [], incidents: [], scheduled: [] }, incidents: [], maintenances: [], ...payloads },
    failures: {},
    delays: {},
    validators: 'etag',
    requests: [],
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of pending) clearTimeout(timer);
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
  return feeds;
}
