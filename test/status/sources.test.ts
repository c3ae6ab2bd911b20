import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createStatusFeedClient } from '../../src/ops/heroku/status-feed.js';
import { createTrustClient } from '../../src/ops/heroku/trust.js';
import { FeedHealth, readFeeds, trustStartTime } from '../../src/status/sources.js';
import { startFeedServer, type FeedServer } from './support/feed-server.js';
import { fixture } from './support/fixtures.js';

let feeds: FeedServer;
beforeAll(async () => {
  feeds = await startFeedServer({
    'current-status': fixture('current-status.v4.scheduled-upcoming.2026-trimmed.feed-guide.json'),
    maintenances: fixture('trust.maintenances.heroku-cli-test-fixture.json'),
  });
});
afterAll(async () => {
  await feeds.close();
});

function recordingLog() {
  const lines: string[] = [];
  return {
    lines,
    info: (_obj: object, msg: string) => lines.push(`info ${msg}`),
    warn: (_obj: object, msg: string) => lines.push(`warn ${msg}`),
  };
}

describe('reading the sources', () => {
  const now = new Date('2026-07-15T18:00:00Z');
  const sources = () => ({
    status: createStatusFeedClient({ baseUrl: feeds.statusUrl, timeoutMs: 2000 }),
    trust: createTrustClient({ baseUrl: feeds.trustUrl, timeoutMs: 2000 }),
  });

  it('asks Trust from the start of yesterday, so the URL holds all day', () => {
    expect(trustStartTime(now).toISOString()).toBe('2026-07-14T00:00:00.000Z');
    expect(trustStartTime(new Date('2026-07-15T23:59:00Z'))).toEqual(trustStartTime(now));
  });

  it('reads the others when one fails, and reports a failing source once until it recovers', async () => {
    const log = recordingLog();
    const health = new FeedHealth(log);
    const s = sources();
    feeds.failures['current-status'] = 503;
    for (let poll = 0; poll < 3; poll++) {
      const snapshot = await readFeeds(s, now, health);
      expect(snapshot.current).toBeNull();
      expect(snapshot.history).toEqual([]);
      expect(snapshot.trust?.[0]?.id).toBe(20745576);
    }
    expect([...health.failures().keys()]).toEqual(['heroku current-status']);
    delete feeds.failures['current-status'];
    const recovered = await readFeeds(s, now, health);
    expect(recovered.current?.scheduled[0]?.id).toBe(2959);
    expect(health.failures().size).toBe(0);
    expect(log.lines).toEqual([
      'warn heroku current-status cannot be read; polling goes on, and its recovery will be reported',
      'info heroku current-status can be read again',
    ]);
  });
});
