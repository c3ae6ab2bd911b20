import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import type { Metrics } from './registry.js';

/**
 * `GET /metrics` on the bot's HTTP server (Bolt's custom routes, in HTTP and Socket Mode alike), in
 * Prometheus's text format. With METRICS_TOKEN set, a scrape must carry `Authorization: Bearer
 * <token>` (Prometheus's `authorization` / `bearer_token` scrape setting); anything else gets 401.
 */

export const METRICS_PATH = '/metrics';

export function metricsRoute(metrics: Metrics, options: { token?: string; warn?: (error: unknown) => void }): CustomRoute {
  const expected = options.token === undefined ? undefined : digest(options.token);
  return {
    path: METRICS_PATH,
    method: ['GET'],
    handler: (req: IncomingMessage, res: ServerResponse) => {
      if (expected && !authorized(req.headers.authorization, expected)) {
        res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer realm="connect-ops metrics"' });
        res.end('A bearer token is required: Authorization: Bearer <METRICS_TOKEN>\n');
        return;
      }
      metrics.scrape().then(
        (text) => {
          res.writeHead(200, { 'content-type': metrics.registry.contentType });
          res.end(text);
        },
        (error: unknown) => {
          options.warn?.(error);
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
          res.end('metrics could not be rendered\n');
        },
      );
    },
  };
}

/** Compared as digests, in constant time: neither the token nor its length shows in the timing. */
function authorized(header: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), expected);
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
