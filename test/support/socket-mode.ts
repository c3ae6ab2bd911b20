import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A local stand-in for Slack's side of Socket Mode, in front of the Slack stand-in's Web API
 * (src/sandbox/slack): point SLACK_API_URL at `apiUrl`. As Slack does (docs.slack.dev, "Using
 * Socket Mode"):
 * - `apps.connections.open`, called with the app-level token (`xapp-`), answers a single-use
 *   WebSocket URL, here `ws://127.0.0.1:PORT/link/?ticket=…&app_id=…`; a bot token gets
 *   `not_allowed_token_type`, another token `invalid_auth`; every other method is passed on to the
 *   Slack stand-in unchanged;
 * - a connection on that URL is greeted with `hello`;
 * - each event is an envelope `{ envelope_id, type, payload, accepts_response_payload }`, which
 *   the app acks by sending `{ envelope_id, payload? }` back on the socket; for a slash command the
 *   ack's payload is the answer the typist sees, as the HTTP ack's body would be;
 * - `disconnect` (`refresh_requested`, as when Slack recycles a connection) makes the app close
 *   the socket and open a new one, through `apps.connections.open` again.
 */

export interface SocketModeStandInOptions {
  /** The Slack stand-in's base URL (SlackStandIn.url): the Web API calls other than apps.connections.open go there. */
  slackUrl: string;
  /** The app-level token apps.connections.open accepts. */
  appToken: string;
  appId?: string;
  /** Told of a slash command's ack payload, to show it as Slack would (an ephemeral to the typist). */
  onCommandAnswer?: (command: Record<string, string>, answer: Record<string, unknown>) => void;
}

export interface Ack {
  envelope_id: string;
  payload?: Record<string, unknown>;
  /** From the envelope sent to its ack received. */
  ms: number;
}

export interface SocketModeStandIn {
  /** What SLACK_API_URL is set to. */
  apiUrl: string;
  /** apps.connections.open calls answered with a URL. */
  opens(): number;
  /** Connections greeted with `hello`, in the order they opened. */
  connections(): number;
  /** Waits until the app holds an open connection (greeted with hello), the `n`th one when given. */
  connected(n?: number, timeoutMs?: number): Promise<void>;
  /** A `slash_commands` envelope, acked by the app within `timeoutMs`. */
  slashCommand(fields: Record<string, string>, timeoutMs?: number): Promise<Ack>;
  /** An `interactive` envelope (a `block_actions` payload, a shortcut...), acked by the app. */
  interactive(payload: Record<string, unknown>, timeoutMs?: number): Promise<Ack>;
  /** Sends `disconnect` with `reason`, then waits for the app to close the socket and connect again. */
  disconnect(reason?: string, timeoutMs?: number): Promise<void>;
  /** Messages the app sent on its sockets that were not acks of an envelope sent. */
  stray: unknown[];
  close(): Promise<void>;
}

export async function startSocketModeStandIn(options: SocketModeStandInOptions): Promise<SocketModeStandIn> {
  const appId = options.appId ?? 'A0CONNECTOPS';
  const tickets = new Set<string>();
  const waiting = new Map<string, { sent: number; resolve: (ack: Ack) => void }>();
  const stray: unknown[] = [];
  const changes = new Set<() => void>();
  const changed = () => changes.forEach((listener) => listener());
  let opens = 0;
  let greeted = 0;
  let current: WebSocket | undefined;

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => json(res, 500, { ok: false, error: 'internal_error', detail: String(error) }));
  });
  const sockets = new WebSocketServer({ noServer: true });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://stand-in').pathname;
    const body = await read(req);
    if (req.method === 'POST' && path === '/api/apps.connections.open') {
      const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (token === options.appToken) {
        const ticket = randomUUID();
        tickets.add(ticket);
        opens += 1;
        changed();
        return json(res, 200, { ok: true, url: `ws://127.0.0.1:${port()}/link/?ticket=${ticket}&app_id=${appId}` });
      }
      return json(res, 200, { ok: false, error: token?.startsWith('xox') ? 'not_allowed_token_type' : 'invalid_auth' });
    }
    // Everything else is the Slack stand-in's.
    const answer = await fetch(`${options.slackUrl}${req.url ?? '/'}`, {
      method: req.method,
      headers: Object.fromEntries(['authorization', 'content-type'].flatMap((h) => (typeof req.headers[h] === 'string' ? [[h, req.headers[h]]] : []))),
      body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
    });
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' });
    res.end(Buffer.from(await answer.arrayBuffer()));
  }

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const ticket = url.searchParams.get('ticket') ?? '';
    // A ticket is good for one connection, as Slack's are.
    if (url.pathname !== '/link/' || !tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => {
      current = ws;
      ws.on('message', (data) => {
        let message: { envelope_id?: unknown; payload?: Record<string, unknown> };
        try {
          message = JSON.parse(String(data)) as typeof message;
        } catch {
          stray.push(String(data));
          return;
        }
        const pending = typeof message.envelope_id === 'string' ? waiting.get(message.envelope_id) : undefined;
        if (!pending || typeof message.envelope_id !== 'string') return void stray.push(message);
        waiting.delete(message.envelope_id);
        pending.resolve({ envelope_id: message.envelope_id, payload: message.payload, ms: performance.now() - pending.sent });
      });
      ws.on('close', () => {
        if (current === ws) current = undefined;
        changed();
      });
      ws.send(
        JSON.stringify({
          type: 'hello',
          num_connections: 1,
          debug_info: { host: 'applink-stand-in', build_number: 1, approximate_connection_time: 18060 },
          connection_info: { app_id: appId },
        }),
      );
      greeted += 1;
      changed();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = () => (server.address() as AddressInfo).port;

  const until = (holds: () => boolean, timeoutMs: number, what: string) =>
    new Promise<void>((resolve, reject) => {
      if (holds()) return resolve();
      const check = () => {
        if (!holds()) return;
        clearTimeout(timer);
        changes.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        changes.delete(check);
        reject(new Error(`Socket Mode stand-in: ${what} within ${timeoutMs} ms (opens ${opens}, connections ${greeted})`));
      }, timeoutMs);
      changes.add(check);
    });

  const open = () => current !== undefined && current.readyState === current.OPEN;

  const envelope = async (type: string, payload: Record<string, unknown>, acceptsResponsePayload: boolean, timeoutMs: number): Promise<Ack> => {
    if (!open()) throw new Error('Socket Mode stand-in: no open connection to send on');
    const id = randomUUID();
    const acked = new Promise<Ack>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`Socket Mode stand-in: the ${type} envelope ${id} was not acked within ${timeoutMs} ms`));
      }, timeoutMs);
      waiting.set(id, { sent: performance.now(), resolve: (ack) => (clearTimeout(timer), resolve(ack)) });
    });
    current!.send(JSON.stringify({ envelope_id: id, type, payload, accepts_response_payload: acceptsResponsePayload }));
    return acked;
  };

  return {
    apiUrl: `http://127.0.0.1:${port()}/api/`,
    opens: () => opens,
    connections: () => greeted,
    connected: (n = 1, timeoutMs = 15_000) => until(() => greeted >= n && open(), timeoutMs, `no connection #${n}`),
    async slashCommand(fields, timeoutMs = 3000) {
      const ack = await envelope('slash_commands', fields, true, timeoutMs);
      if (ack.payload && Object.keys(ack.payload).length > 0) options.onCommandAnswer?.(fields, ack.payload);
      return ack;
    },
    interactive: (payload, timeoutMs = 3000) => envelope('interactive', payload, false, timeoutMs),
    async disconnect(reason = 'refresh_requested', timeoutMs = 20_000) {
      const before = greeted;
      current?.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-stand-in' } }));
      await until(() => greeted > before && open(), timeoutMs, 'the app did not reconnect after disconnect');
    },
    stray,
    async close() {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function read(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}
