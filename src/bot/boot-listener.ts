import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * `$PORT` bound before Bolt, the store and the engine are loaded, which takes seconds on a busy
 * dyno: Heroku only needs the port bound (R10, Dev Center "Error Codes"), and `/healthz` says the
 * engine is starting. Any other request (Slack's) waits, unread, until the bot takes the server
 * over (`hand`), then goes to it in the order it came. Nothing here loads Bolt.
 */

export interface BootListener {
  server: Server;
  /** From now on every request goes to `listener`; those held meanwhile first. */
  hand(listener: (req: IncomingMessage, res: ServerResponse) => void): void;
}

export async function listenEarly(port: number): Promise<BootListener> {
  const held: Array<[IncomingMessage, ServerResponse]> = [];
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    if (handler) return handler(req, res);
    if (req.method === 'GET' && new URL(req.url ?? '/', 'http://localhost').pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, engine: 'starting' }));
      return;
    }
    held.push([req, res]);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    server,
    hand(listener) {
      handler = listener;
      for (const [req, res] of held.splice(0)) listener(req, res);
    },
  };
}
