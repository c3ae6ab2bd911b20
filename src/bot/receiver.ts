import type { ServerResponse } from 'node:http';
import { HTTPReceiver, SocketModeReceiver, type Logger as BoltLogger } from '@slack/bolt';
import { guardRequests } from './request-guard.js';

/**
 * How Slack reaches the bot: HTTP on PORT at `/slack/events` (requests verified with the signing
 * secret, and refused before Bolt when Bolt could not read them: ./request-guard.ts), or Socket
 * Mode when an app-level token is set. Either way `/healthz` answers on PORT.
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
}

export type Receiver = { mode: 'http'; receiver: HTTPReceiver } | { mode: 'socket'; receiver: SocketModeReceiver };

export const EVENTS_PATH = '/slack/events';
export const HEALTH_PATH = '/healthz';

export function createReceiver(options: ReceiverOptions): Receiver {
  const customRoutes = [{ path: HEALTH_PATH, method: ['GET'], handler: (_req: unknown, res: ServerResponse) => void health(options, res) }];
  if (options.appToken) {
    return {
      mode: 'socket',
      receiver: new SocketModeReceiver({
        appToken: options.appToken,
        logger: options.logger,
        customRoutes,
        installerOptions: { port: options.port, clientOptions: { slackApiUrl: options.apiUrl } },
      }),
    };
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
  return { mode: 'http', receiver };
}

async function health(options: ReceiverOptions, res: ServerResponse): Promise<void> {
  const ok = await options.healthy().catch(() => false);
  res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ ok }));
}
