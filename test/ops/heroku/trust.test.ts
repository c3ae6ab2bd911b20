import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTrustClient } from '../../../src/ops/heroku/trust.js';
import { startFeedServer, type FeedServer } from '../../status/support/feed-server.js';
import { fixture } from '../../status/support/fixtures.js';

let feeds: FeedServer;
beforeAll(async () => {
  feeds = await startFeedServer();
});
afterAll(async () => {
  await feeds.close();
});

const client = () => createTrustClient({ baseUrl: feeds.trustUrl, timeoutMs: 2000 });
const startTime = new Date('2025-07-31T00:00:00Z');

describe('Salesforce Trust client', () => {
  it('asks for Heroku maintenances from a start time and reads their planned times', async () => {
    feeds.payloads.maintenances = fixture('trust.maintenances.heroku-cli-test-fixture.json');
    const [m] = await client().maintenances({ startTime });
    expect(m).toMatchObject({
      id: 20745576,
      plannedStartTime: '2025-08-01T16:00:00.000Z',
      plannedEndTime: '2025-08-01T16:05:00.000Z',
      serviceKeys: ['HerokuApps', 'HerokuData'],
      message: { eventStatus: 'resolved' },
    });
    const query = new URL(feeds.requests.at(-1)?.url ?? '', 'http://x').searchParams;
    expect(Object.fromEntries(query)).toEqual({
      startTime: '2025-07-31T00:00:00.000Z',
      limit: '50',
      offset: '0',
      product: 'Heroku',
      locale: 'en',
    });
  });

  it.each([
    'trust.instances.heroku-cli-test-fixture.json',
    'trust.incidents-active.heroku-cli-test-fixture.json',
    'trust.localizations.heroku-cli-test-fixture.json',
  ])('refuses %s served as maintenances, naming the missing planned times', async (name) => {
    feeds.payloads.maintenances = fixture(name);
    await expect(client().maintenances({ startTime })).rejects.toMatchObject({
      feed: 'Salesforce Trust',
      failure: 'invalid',
      message: expect.stringMatching(/plannedStartTime/),
    });
  });

  it('revalidates with the ETag of the same URL', async () => {
    feeds.payloads.maintenances = fixture('trust.maintenances.heroku-cli-test-fixture.json');
    const trust = client();
    await trust.maintenances({ startTime });
    const again = await trust.maintenances({ startTime });
    expect(feeds.requests.at(-1)?.status).toBe(304);
    expect(again[0]?.id).toBe(20745576);
  });
});
