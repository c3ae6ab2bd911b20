import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createStatusFeedClient, FeedError } from '../../../src/ops/heroku/status-feed.js';
import { startFeedServer, type FeedServer } from '../../status/support/feed-server.js';
import { fixture } from '../../status/support/fixtures.js';

let feeds: FeedServer;
beforeAll(async () => {
  feeds = await startFeedServer();
});
afterAll(async () => {
  await feeds.close();
});

const client = (overrides: { timeoutMs?: number; schedule?: <T>(fn: () => Promise<T>) => Promise<T> } = {}) =>
  createStatusFeedClient({ baseUrl: feeds.statusUrl, timeoutMs: 2000, ...overrides });

describe('Heroku status v4 client', () => {
  it('reads the 2020 current-status with a scheduled Data service update and its four updates', async () => {
    feeds.payloads['current-status'] = fixture('current-status.v4.scheduled-data-service-update.2020.statuscheck.json');
    const status = await client().currentStatus();
    expect(status.status).toContainEqual({ system: 'Data', status: 'blue' });
    expect(status.scheduled).toHaveLength(1);
    const [item] = status.scheduled;
    expect(item).toMatchObject({ id: 2120, full_url: 'https://status.heroku.com/incidents/2120' });
    expect(item?.updates.map((u) => u.update_type)).toEqual(['resolved', 'maintenance', 'maintenance', 'scheduled']);
    // The unreliable `resolved` flag and the churning `updated_at` are not carried (reference 7.3).
    expect(item).not.toHaveProperty('resolved');
    expect(item).not.toHaveProperty('updated_at');
  });

  it('reads the 2019 open incident and the trimmed 2026 upcoming maintenance without update ids', async () => {
    feeds.payloads['current-status'] = fixture('current-status.v4.open-incident.2019.statuscheck-edited.json');
    const incident = await client().currentStatus();
    expect(incident.incidents[0]).toMatchObject({ id: 1918, state: 'open' });
    expect(incident.scheduled).toEqual([]);

    feeds.payloads['current-status'] = fixture('current-status.v4.scheduled-upcoming.2026-trimmed.feed-guide.json');
    const upcoming = await client().currentStatus();
    expect(upcoming.scheduled[0]).toMatchObject({ id: 2959, state: 'upcoming', tags: ['EMEA', 'NA', 'APAC'] });
    expect(upcoming.scheduled[0]?.updates[0]).toEqual({ created_at: '2026-07-15T21:23:52.796Z', update_type: 'scheduled', contents: 'Maintenance is complete' });
  });

  it('reads /api/v4/incidents items, with or without updates', async () => {
    feeds.payloads.incidents = fixture('incidents.v4.list-item.2026.parseHeroku-test.json');
    const [item] = await client().incidents();
    expect(item).toMatchObject({ id: 2960, state: 'resolved', updates: [] });

    // The v3 issue list has the same item shape: it reads, v3 Markdown contents and all.
    feeds.payloads.incidents = fixture('issues.v3.devcenter-sample.json');
    const [issue] = await client().incidents();
    expect(issue?.updates[1]?.contents).toContain('```');
  });

  it('rejects the legacy v3 payloads as a clear error for this source', async () => {
    feeds.payloads['current-status'] = fixture('current-status.v3.devcenter.json');
    const error = await client().currentStatus().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FeedError);
    expect(error).toMatchObject({ feed: 'Heroku status', failure: 'invalid' });
    expect((error as Error).message).toMatch(/^Heroku status: unexpected payload: status .*\/api\/v4\/current-status\)$/);

    feeds.payloads.incidents = fixture('issue.v3.336.devcenter-sample.json');
    await expect(client().incidents()).rejects.toMatchObject({ failure: 'invalid' });
  });

  it('sends If-None-Match with the ETag it was given and answers a 304 with the body it had', async () => {
    feeds.validators = 'etag';
    feeds.payloads['current-status'] = fixture('current-status.v4.open-incident.2019.statuscheck-edited.json');
    const feed = client();
    const first = await feed.currentStatus();
    const second = await feed.currentStatus();
    const [a, b] = feeds.requests.slice(-2);
    expect(a?.headers['if-none-match']).toBeUndefined();
    expect(b?.headers['if-none-match']).toMatch(/^"[0-9a-f]{40}"$/);
    expect(b?.status).toBe(304);
    expect(second).toEqual(first);
  });

  it('sends If-Modified-Since when the server gives Last-Modified instead', async () => {
    feeds.validators = 'last-modified';
    feeds.payloads.incidents = fixture('issues.v3.devcenter-sample.json');
    const feed = client();
    await feed.incidents();
    const again = await feed.incidents();
    const last = feeds.requests.at(-1);
    expect(last?.headers['if-modified-since']).toMatch(/GMT$/);
    expect(last?.status).toBe(304);
    expect(again[0]).toMatchObject({ id: 604 });
    feeds.validators = 'etag';
  });

  it('times out, fails on HTTP errors and on non-JSON, each as a FeedError', async () => {
    feeds.delays['current-status'] = 1000;
    await expect(client({ timeoutMs: 100 }).currentStatus()).rejects.toMatchObject({ failure: 'timeout' });
    delete feeds.delays['current-status'];

    feeds.failures.incidents = 503;
    await expect(client().incidents()).rejects.toThrow('Heroku status: answered HTTP 503');
    delete feeds.failures.incidents;

    feeds.payloads.incidents = '<html>maintenance</html>';
    await expect(client().incidents()).rejects.toMatchObject({ failure: 'invalid' });
  });

  it('fails as unreachable when nothing listens', async () => {
    const closed = createStatusFeedClient({ baseUrl: 'http://127.0.0.1:1', timeoutMs: 1000 });
    await expect(closed.currentStatus()).rejects.toMatchObject({ failure: 'unreachable' });
  });

  it('runs every request through the injected schedule', async () => {
    let scheduled = 0;
    const schedule = <T>(fn: () => Promise<T>) => {
      scheduled += 1;
      return fn();
    };
    feeds.payloads.incidents = [];
    await client({ schedule }).incidents();
    await client({ schedule }).incidents();
    expect(scheduled).toBe(2);
  });
});
