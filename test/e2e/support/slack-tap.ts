import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback tap in front of the Slack stand-in's Web API, one per bot process (its SLACK_API_URL),
 * so a test sees which process made each call and when it started and ended. `chat.update` is held
 * `updateDelayMs` before it is passed on, as a slow Slack would: edits that were not kept apart
 * would overlap.
 */

export interface TappedCall {
  process: string;
  method: string;
  channel?: string;
  ts?: string;
  /** Epoch ms when the call reached the tap, and when its answer left. */
  start: number;
  end: number;
}

export interface SlackTap {
  /** What the process's SLACK_API_URL is set to. */
  apiUrl: string;
  close(): Promise<void>;
}

export async function startSlackTap(options: { process: string; apiUrl: string; calls: TappedCall[]; updateDelayMs: number }): Promise<SlackTap> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const start = Date.now();
        const body = Buffer.concat(chunks).toString();
        const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
        const args = argsOf(req.headers['content-type'], body);
        if (method === 'chat.update') await new Promise((resolve) => setTimeout(resolve, options.updateDelayMs));
        const answer = await fetch(new URL(method, options.apiUrl), {
          method: 'POST',
          headers: { 'content-type': req.headers['content-type'] ?? 'application/x-www-form-urlencoded', authorization: req.headers.authorization ?? '' },
          body,
        });
        const text = await answer.text();
        options.calls.push({ process: options.process, method, channel: args.channel, ts: args.ts, start, end: Date.now() });
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
        res.end(text);
      })().catch((error: unknown) => {
        res.writeHead(502).end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function argsOf(contentType: string | undefined, body: string): { channel?: string; ts?: string } {
  if (contentType?.includes('application/json')) {
    const parsed = JSON.parse(body || '{}') as Record<string, unknown>;
    return { channel: parsed.channel as string | undefined, ts: parsed.ts as string | undefined };
  }
  const form = new URLSearchParams(body);
  return { channel: form.get('channel') ?? undefined, ts: form.get('ts') ?? undefined };
}
