import { describe, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import { listenEarly } from '../../src/bot/boot-listener.js';

/** `$PORT` bound before the bot is loaded (connect-ops start): health at once, Slack's requests held for the bot. */
describe('listenEarly', () => {
  it('answers /healthz with the engine starting, holds other requests, then hands them to the bot in order', async () => {
    const early = await listenEarly(0);
    const base = `http://127.0.0.1:${(early.server.address() as AddressInfo).port}`;
    try {
      const health = await fetch(`${base}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ ok: true, engine: 'starting' });

      const sent = [1, 2].map((n) => fetch(`${base}/slack/events`, { method: 'POST', body: `command ${n}` }).then((r) => r.text()));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const seen: string[] = [];
      early.hand((req, res) => {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString()));
        req.on('end', () => {
          seen.push(body);
          res.end(`acked ${body}`);
        });
      });
      // Held unread, then answered by the bot: nothing lost, bodies intact.
      expect(await Promise.all(sent)).toEqual(['acked command 1', 'acked command 2']);
      expect(seen.sort()).toEqual(['command 1', 'command 2']);
      // From now on the bot answers everything, /healthz included.
      expect(await (await fetch(`${base}/healthz`)).text()).toBe('acked ');
    } finally {
      early.server.closeAllConnections();
      await new Promise((resolve) => early.server.close(resolve));
    }
  });

  it('says so when the port is taken', async () => {
    const first = await listenEarly(0);
    const port = (first.server.address() as AddressInfo).port;
    await expect(listenEarly(port)).rejects.toThrow(/EADDRINUSE/);
    await new Promise((resolve) => first.server.close(resolve));
  });
});
