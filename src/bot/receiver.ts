import type { ServerResponse } from 'node:http';
import { HTTPReceiver, SocketModeReceiver, type CustomRoute, type Logger as BoltLogger } from '@slack/bolt';
import { guardRequests } from './request-guard.js';

/**
 * How Slack reaches the bot: HTTP on PORT at `/slack/events` (requests verified with the signing
 * secret, and refused before Bolt when Bolt could not read them: ./request-guard.ts), or Socket
 * Mode when an app-level token is set. Either way `/healthz` (and the routes given, `/metrics`)
 * answer on PORT.
 */

export interface ReceiverOptions {
  signingSecret: string;
  /** SLACK_APP_TOKEN: Socket Mode when set. */
  appToken?: string;
  port: number;
  /** SLACK_API_URL, for Socket Mode's `apps.connections.open`. */
  apiUrl: string;
  logger: BoltLogger;
  /** True when the bot can serve (its store answers). */
  healthy: () => Promise<boolean>;
  /**
   * Where the engine is (`starting` while it waits for another process's lease or its job queue,
   * `running`, `stopping`), told by `/healthz` beside `ok`. Starting is healthy: Slack requests are
   * answered and recorded meanwhile, and Heroku only needs `$PORT` bound.
   */
  engineState?: () => string;
  /** Socket Mode: the fetch of its own Web API client (`apps.connections.open`), counted as the bot's calls are. */
  fetch?: typeof fetch;
  /** More HTTP routes on PORT beside `/healthz` (`/metrics`). */
  routes?: CustomRoute[];
  /** Told how long each ack took: from an HTTP request's arrival, or a Socket Mode envelope's, to the ack sent. */
  onAck?: (mode: 'http' | 'socket', seconds: number) => void;
}

export type Receiver = { mode: 'http'; receiver: HTTPReceiver } | { mode: 'socket'; receiver: SocketModeReceiver };

export const EVENTS_PATH = '/slack/events';
export const HEALTH_PATH = '/healthz';

export function createReceiver(options: ReceiverOptions): Receiver {
  const customRoutes: CustomRoute[] = [
    { path: HEALTH_PATH, method: ['GET'], handler: (_req: unknown, res: ServerResponse) => void health(options, res) },
    ...(options.routes ?? []),
  ];
  if (options.appToken) {
    const receiver = new SocketModeReceiver({
      appToken: options.appToken,
      logger: options.logger,
      customRoutes,
      installerOptions: { port: options.port, clientOptions: { slackApiUrl: options.apiUrl, ...(options.fetch && { fetch: options.fetch }) } },
    });
    if (options.onAck) timeSocketAcks(receiver, options.onAck);
    return { mode: 'socket', receiver };
  }
  const receiver = new HTTPReceiver({
    signingSecret: options.signingSecret,
    endpoints: EVENTS_PATH,
    port: options.port,
    logger: options.logger,
    customRoutes,
    // Ack goes out as soon as a listener calls ack(); the work continues after the response.
    processBeforeResponse: false,
  });
  guardRequests(receiver, { signingSecret: options.signingSecret, path: EVENTS_PATH, logger: options.logger });
  if (options.onAck) timeHttpAcks(receiver, options.onAck);
  return { mode: 'http', receiver };
}

/** An HTTP request to `/slack/events` is acked when its answer is sent; refusals (4xx) are not acks. */
function timeHttpAcks(receiver: HTTPReceiver, onAck: NonNullable<ReceiverOptions['onAck']>): void {
  const inner = receiver.requestListener;
  receiver.requestListener = (req, res) => {
    if (req.method === 'POST' && new URL(req.url ?? '/', 'http://localhost').pathname === EVENTS_PATH) {
      const started = performance.now();
      res.once('finish', () => {
        if (res.statusCode < 400) onAck('http', (performance.now() - started) / 1000);
      });
    }
    inner(req, res);
  };
}

/** A Socket Mode envelope is acked when the client sends a message with its `envelope_id`. */
function timeSocketAcks(receiver: SocketModeReceiver, onAck: NonNullable<ReceiverOptions['onAck']>): void {
  const arrived = new Map<string, number>();
  receiver.client.on('slack_event', ({ envelope_id: id }: { envelope_id?: string }) => {
    if (!id) return;
    // An envelope never acked (the socket dropped) is forgotten after a minute.
    const now = performance.now();
    if (arrived.size > 100) for (const [old, at] of arrived) if (now - at > 60_000) arrived.delete(old);
    arrived.set(id, now);
  });
  receiver.client.on('outgoing_message', ({ envelope_id: id }: { envelope_id?: string }) => {
    const started = id === undefined ? undefined : arrived.get(id);
    if (started === undefined || id === undefined) return;
    arrived.delete(id);
    onAck('socket', (performance.now() - started) / 1000);
  });
}

async function health(options: ReceiverOptions, res: ServerResponse): Promise<void> {
  const ok = await options.healthy().catch(() => false);
  res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
  res.end(JSON.stringify(options.engineState ? { ok, engine: options.engineState() } : { ok }));
}
