import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Command } from 'commander';
import { maintenanceCommand } from '../../src/cli/maintenance.js';
import { startFeedServer, type FeedServer } from '../status/support/feed-server.js';
import { currentStatus, statusItem } from '../status/support/status-items.js';

let feeds: FeedServer;
beforeAll(async () => {
  feeds = await startFeedServer();
});
afterAll(async () => {
  await feeds.close();
});

/** Runs `connect-ops maintenance …` and returns what it printed. */
async function run(args: string[], now = new Date('2026-07-01T12:00:00Z')): Promise<{ out: string; err: string }> {
  let out = '';
  let err = '';
  const command: Command = maintenanceCommand({ write: (t) => (out += t), warn: (t) => (err += t), now: () => now, timeoutMs: 2000 });
  for (const sub of command.commands) sub.exitOverride().configureOutput({ writeErr: (t) => (err += t) });
  await command.parseAsync(args, { from: 'user' });
  return { out, err };
}

describe('connect-ops maintenance parse', () => {
  it('prints one JSON object for a Connect title, the local time ignored', async () => {
    const { out } = await run([
      'parse',
      '--text',
      'Heroku Connect (Virginia) Urgent Maintenance on Wednesday, April 27th at 03:00 UTC (Tuesday, April 26th at 23:00 EDT)',
      '--posted-at',
      '2022-04-25T20:00:00Z',
    ]);
    expect(out.endsWith('\n')).toBe(true);
    expect(JSON.parse(out)).toEqual({
      connect: true,
      regions: ['Virginia'],
      start: '2022-04-27T03:00:00.000Z',
      end: '2022-04-27T03:45:00.000Z',
      confidence: 'high',
    });
  });

  it('takes the year from now without --posted-at, and says none when it cannot tell', async () => {
    const dated = await run(['parse', '--text', 'Heroku Platform Maintenance on July 15 at 17:00 UTC (3 hours)']);
    expect(JSON.parse(dated.out)).toMatchObject({ connect: false, regions: [], start: '2026-07-15T17:00:00.000Z', end: '2026-07-15T20:00:00.000Z' });
    const vague = await run(['parse', '--text', 'Heroku Connect maintenance is coming soon']);
    expect(JSON.parse(vague.out)).toEqual({ connect: true, regions: [], start: null, end: null, confidence: 'none' });
  });

  it('refuses a --posted-at that is not a time', async () => {
    await expect(run(['parse', '--text', 'x', '--posted-at', 'yesterday'])).rejects.toThrow(/must be an ISO 8601 time/);
  });
});

describe('connect-ops maintenance list', () => {
  const announced = statusItem({
    id: 3001,
    title: '[Virginia] Heroku Connect maintenance on Wednesday, July 15 at 17:00 UTC',
    createdAt: '2026-07-01T10:00:00.000Z',
    updates: [{ id: 7001, at: '2026-07-01T10:00:00.000Z', type: 'scheduled', contents: 'Heroku Connect data synchronization will be unavailable during the window.' }],
  });

  it('lists the upcoming Connect windows from the feeds at the URLs given', async () => {
    feeds.payloads['current-status'] = currentStatus([announced]);
    const args = ['list', '--status-url', feeds.statusUrl, '--trust-url', feeds.trustUrl];
    const { out, err } = await run(args);
    expect(out).toBe(
      'Wed 15 Jul 2026, 17:00–17:45 UTC [Virginia]  scheduled  [Virginia] Heroku Connect maintenance on Wednesday, July 15 at 17:00 UTC  ' +
        'https://status.heroku.com/incidents/3001\n',
    );
    expect(err).toBe('');
    const json = await run([...args, '--json']);
    expect(JSON.parse(json.out)).toMatchObject({ source: 'heroku', start: '2026-07-15T17:00:00.000Z', state: 'scheduled' });
    const later = await run(args, new Date('2026-07-15T18:00:00Z'));
    expect(later.out).toBe('No Heroku Connect maintenance is announced.\n');
  });

  it('warns of a failing source and lists from the other; fails when none can be read', async () => {
    feeds.payloads['current-status'] = currentStatus([announced]);
    feeds.failures.maintenances = 500;
    const args = ['list', '--status-url', feeds.statusUrl, '--trust-url', feeds.trustUrl];
    const { out, err } = await run(args);
    expect(out).toContain('https://status.heroku.com/incidents/3001');
    expect(err).toMatch(/^trust maintenances could not be read: Salesforce Trust: answered HTTP 500/);
    feeds.failures['current-status'] = 500;
    await expect(run(args)).rejects.toThrow('Neither Heroku status nor Salesforce Trust could be read.');
    feeds.failures = {};
  });
});
