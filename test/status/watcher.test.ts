import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createStatusFeedClient } from '../../src/ops/heroku/status-feed.js';
import { createTrustClient } from '../../src/ops/heroku/trust.js';
import type { Store } from '../../src/store/index.js';
import { MaintenanceWatcher, type MaintenancePolicy } from '../../src/status/watcher.js';
import { upcomingWindows } from '../../src/status/windows.js';
import { createTestStore, storeDialects, type TestStore } from '../support/backends.js';
import { startFeedServer, type FeedServer } from './support/feed-server.js';
import { connectNotice } from './support/notice.js';
import { RecordingNotifier } from './support/recording-notifier.js';
import { currentStatus, statusItem, type UpdateInit } from './support/status-items.js';

const dialects = await storeDialects();
const CHANNEL = 'C0MAINT01';
const POLICY: MaintenancePolicy = { channels: [CHANNEL], regions: ['Virginia'], reminders: ['24h', '1h', 'start', 'end'] };

const ANNOUNCED: UpdateInit = {
  id: 7001,
  at: '2026-07-01T10:00:00.000Z',
  type: 'scheduled',
  contents:
    'On Wednesday, July 15, 2026, at 17:00 UTC (13:00 EDT), and continuing until 17:45 UTC (45 minutes), Heroku will be performing ' +
    'maintenance on Heroku Connect in the Virginia region.\r\n\r\nDuring this time, Heroku Connect data synchronization will be ' +
    'unavailable, and so will configuring Heroku Connect.',
};
const RESCHEDULED: UpdateInit = {
  id: 7002,
  at: '2026-07-03T09:00:00.000Z',
  type: 'scheduled',
  contents:
    'This maintenance has been rescheduled. On Thursday, July 16, 2026, at 18:00 UTC (14:00 EDT), and continuing until 18:45 UTC ' +
    '(45 minutes), Heroku will be performing maintenance on Heroku Connect in the Virginia region.',
};
const UNDERWAY: UpdateInit = {
  id: 7003,
  at: '2026-07-16T18:00:10.000Z',
  type: 'maintenance',
  contents: "The scheduled maintenance is now underway. We'll post more updates as necessary or when the maintenance is complete.",
};
const COMPLETED: UpdateInit = {
  id: 7004,
  at: '2026-07-16T18:38:00.000Z',
  type: 'resolved',
  contents: 'This maintenance has been completed. All Heroku Connect functionality has returned to normal.',
};

const notice3001 = (updates: UpdateInit[], title = '[Virginia] Heroku Connect maintenance on Wednesday, July 15 at 17:00 UTC') =>
  statusItem({ id: 3001, title, createdAt: ANNOUNCED.at, updates: [...updates].reverse() });

let feeds: FeedServer;
beforeAll(async () => {
  feeds = await startFeedServer();
});
afterAll(async () => {
  await feeds.close();
});

let clock: Date;
let notifier: RecordingNotifier;
const watchers: MaintenanceWatcher[] = [];
const errors: string[] = [];
beforeEach(() => {
  feeds.payloads = { 'current-status': currentStatus([]), incidents: [], maintenances: [] };
  feeds.failures = {};
  notifier = new RecordingNotifier();
  errors.length = 0;
});
afterEach(async () => {
  await Promise.all(watchers.splice(0).map((w) => w.stop()));
});

function watcherOn(store: Store, policy: MaintenancePolicy = POLICY, cron?: string): MaintenanceWatcher {
  const watcher = new MaintenanceWatcher({
    store,
    sources: {
      status: createStatusFeedClient({ baseUrl: feeds.statusUrl, timeoutMs: 2000 }),
      trust: createTrustClient({ baseUrl: feeds.trustUrl, timeoutMs: 2000 }),
    },
    notifier,
    policy,
    cron,
    now: () => clock,
    log: { info: () => undefined, warn: () => undefined, error: (_d, message) => errors.push(message) },
  });
  watchers.push(watcher);
  return watcher;
}

describe.each(dialects)('the maintenance watcher on %s', (dialect) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await createTestStore(dialect);
  });
  afterEach(async () => {
    await Promise.all(watchers.splice(0).map((w) => w.stop()));
    await t.dispose();
  });

  it('follows a notice through its life, across a restart, saying each thing once', async () => {
    let watcher = watcherOn(t.store);

    // Announced two weeks ahead.
    clock = new Date('2026-07-01T10:05:00Z');
    feeds.payloads['current-status'] = currentStatus([notice3001([ANNOUNCED])]);
    expect(await watcher.tick()).toEqual({ notices: 1, failing: [] });
    expect(notifier.posts).toHaveLength(1);
    expect(notifier.posts[0]?.channel).toBe(CHANNEL);
    expect(notifier.posts[0]?.notice).toEqual(connectNotice({ text: ANNOUNCED.contents }));
    await watcher.tick();
    expect(notifier.posts).toHaveLength(1);
    expect(notifier.replies).toEqual([]);

    // Rescheduled by a day and an hour: the root message follows, the thread says so.
    clock = new Date('2026-07-03T09:05:00Z');
    const rescheduledTitle = '[Virginia] Heroku Connect maintenance on Thursday, July 16 at 18:00 UTC';
    feeds.payloads['current-status'] = currentStatus([notice3001([ANNOUNCED, RESCHEDULED], rescheduledTitle)]);
    await watcher.tick();
    expect(notifier.updates.at(-1)?.notice).toMatchObject({ title: rescheduledTitle, start: '2026-07-16T18:00:00.000Z', end: '2026-07-16T18:45:00.000Z' });

    // A restart: a new watcher on a reopened store repeats nothing.
    await watcher.stop();
    watcher = watcherOn(await t.reopen());
    await watcher.tick();
    clock = new Date('2026-07-10T00:00:00Z');
    await watcher.tick();

    // The reminders, each once, for the new time.
    for (const at of ['2026-07-15T17:59:00Z', '2026-07-15T18:00:00Z', '2026-07-15T18:05:00Z', '2026-07-16T17:00:00Z', '2026-07-16T17:30:00Z']) {
      clock = new Date(at);
      await watcher.tick();
    }

    // Underway, with the Data system blue.
    clock = new Date('2026-07-16T18:01:00Z');
    feeds.payloads['current-status'] = currentStatus([notice3001([ANNOUNCED, RESCHEDULED, UNDERWAY], rescheduledTitle)], 'blue');
    await watcher.tick();
    await watcher.tick();
    expect(notifier.updates.at(-1)?.notice.state).toBe('in_progress');

    // Complete, then time passes: nothing more.
    clock = new Date('2026-07-16T18:40:00Z');
    feeds.payloads['current-status'] = currentStatus([notice3001([ANNOUNCED, RESCHEDULED, UNDERWAY, COMPLETED], rescheduledTitle)]);
    await watcher.tick();
    clock = new Date('2026-07-16T19:30:00Z');
    await watcher.tick();

    expect(notifier.posts).toHaveLength(1);
    expect(notifier.repliesIn(CHANNEL)).toEqual([
      'Rescheduled: Thu 16 Jul 2026, 18:00–18:45 UTC (was Wed 15 Jul 2026, 17:00–17:45 UTC).',
      'Reminder: Heroku Connect maintenance starts in 24 hours, Thu 16 Jul 2026, 18:00–18:45 UTC. Sync and configuration stop for the whole window.',
      'Reminder: Heroku Connect maintenance starts in 1 hour, Thu 16 Jul 2026, 18:00–18:45 UTC. Sync and configuration stop for the whole window.',
      "The maintenance is underway: “The scheduled maintenance is now underway. We'll post more updates as necessary or when the maintenance is complete.”",
      'The maintenance is complete. Check that Heroku Connect is syncing again on every connection.',
    ]);
    expect(notifier.replies.every((r) => r.ref.ts === notifier.posts[0]?.ref.ts)).toBe(true);
    expect(notifier.updates.map((u) => u.notice.state)).toEqual(['scheduled', 'in_progress', 'complete']);
    expect(await upcomingWindows(t.store, clock)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('lets only one of two replicas announce and remind', async () => {
    const a = watcherOn(t.store);
    const b = watcherOn(await t.reopen());
    clock = new Date('2026-07-15T16:10:00Z');
    feeds.payloads['current-status'] = currentStatus([notice3001([ANNOUNCED])]);
    await Promise.all([a.tick(), b.tick()]);
    expect(notifier.posts).toHaveLength(1);
    clock = new Date('2026-07-15T17:00:00Z');
    await Promise.all([a.tick(), b.tick()]);
    expect(notifier.repliesIn(CHANNEL)).toEqual([
      'Heroku Connect maintenance is due to start now (Wed 15 Jul 2026, 17:00–17:45 UTC). Sync and configuration are unavailable until it ends.',
    ]);
  });
});

describe('the maintenance watcher', () => {
  let t: TestStore;
  beforeEach(async () => {
    t = await createTestStore('sqlite');
  });
  afterEach(async () => {
    await Promise.all(watchers.splice(0).map((w) => w.stop()));
    await t.dispose();
  });

  it('says when a window is due to start and to end when Heroku posts nothing', async () => {
    const watcher = watcherOn(t.store, { ...POLICY, reminders: ['start', 'end'] });
    feeds.payloads['current-status'] = currentStatus([notice3001([ANNOUNCED])]);
    for (const at of ['2026-07-10T00:00:00Z', '2026-07-15T17:00:00Z', '2026-07-15T17:20:00Z', '2026-07-15T17:45:00Z', '2026-07-15T18:00:00Z']) {
      clock = new Date(at);
      await watcher.tick();
    }
    expect(notifier.repliesIn(CHANNEL)).toEqual([
      'Heroku Connect maintenance is due to start now (Wed 15 Jul 2026, 17:00–17:45 UTC). Sync and configuration are unavailable until it ends.',
      'The window was due to end now; no completion has been posted yet.',
    ]);
  });

  it('announces a Trust maintenance while the Heroku status site fails, and warns of the failure once', async () => {
    const warnings: string[] = [];
    const watcher = new MaintenanceWatcher({
      store: t.store,
      sources: {
        status: createStatusFeedClient({ baseUrl: feeds.statusUrl, timeoutMs: 2000 }),
        trust: createTrustClient({ baseUrl: feeds.trustUrl, timeoutMs: 2000 }),
      },
      notifier,
      policy: { ...POLICY, regions: ['Oregon'] },
      now: () => clock,
      log: { info: (_d, m) => warnings.push(`info ${m}`), warn: (_d, m) => warnings.push(`warn ${m}`), error: (_d, m) => errors.push(m) },
    });
    watchers.push(watcher);
    feeds.failures['current-status'] = 503;
    feeds.failures.incidents = 503;
    feeds.payloads.maintenances = [
      {
        id: 20800001,
        name: 'Heroku Connect maintenance',
        externalId: null,
        message: { maintenanceType: 'scheduledMaintenance', eventStatus: 'confirmed', availability: 'available' },
        plannedStartTime: '2026-07-20T09:00:00.000Z',
        plannedEndTime: '2026-07-20T09:45:00.000Z',
        instanceKeys: ['Heroku North America'],
        serviceKeys: ['HerokuData'],
        MaintenanceEvents: [{ id: 1, type: 'scheduled', message: 'This maintenance has been scheduled.', createdAt: '2026-07-06T09:00:00.000Z' }],
        createdAt: '2026-07-06T09:00:00.000Z',
      },
    ];
    clock = new Date('2026-07-06T09:05:00Z');
    expect(await watcher.tick()).toEqual({ notices: 1, failing: ['heroku current-status', 'heroku incidents'] });
    await watcher.tick();
    expect(notifier.posts.map((p) => [p.notice.id, p.notice.start, p.notice.regions])).toEqual([['trust:20800001', '2026-07-20T09:00:00.000Z', ['NA']]]);
    expect(warnings.filter((w) => w.startsWith('warn'))).toHaveLength(2); // one per failing feed, not per poll
  });

  it('posts nothing for regions the team does not care about', async () => {
    const watcher = watcherOn(t.store, { ...POLICY, regions: ['Dublin'] });
    clock = new Date('2026-07-01T10:05:00Z');
    feeds.payloads['current-status'] = currentStatus([notice3001([ANNOUNCED])]);
    await watcher.tick();
    expect(notifier.posts).toEqual([]);
  });

  it('does not announce maintenance that was over before it was first seen', async () => {
    const watcher = watcherOn(t.store);
    clock = new Date('2026-07-16T19:00:00Z');
    feeds.payloads['current-status'] = currentStatus([notice3001([ANNOUNCED])]); // still "upcoming", window passed
    feeds.payloads.incidents = [notice3001([ANNOUNCED, UNDERWAY, COMPLETED])];
    await watcher.tick();
    expect(notifier.posts).toEqual([]);
  });

  it('tries again next poll when Slack fails, and then says it once', async () => {
    const watcher = watcherOn(t.store);
    clock = new Date('2026-07-01T10:05:00Z');
    feeds.payloads['current-status'] = currentStatus([notice3001([ANNOUNCED])]);
    notifier.failing = true;
    await watcher.tick();
    expect(errors).toEqual(['could not tell a channel about a maintenance notice']);
    notifier.failing = false;
    await watcher.tick();
    await watcher.tick();
    expect(notifier.posts).toHaveLength(1);
  });

  it('polls on its cron schedule once started, and stops', async () => {
    const watcher = watcherOn(t.store, POLICY, '* * * * * *');
    clock = new Date('2026-07-01T10:05:00Z');
    feeds.payloads['current-status'] = currentStatus([notice3001([ANNOUNCED])]);
    watcher.start();
    const deadline = Date.now() + 5000;
    while (notifier.posts.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await watcher.stop();
    expect(notifier.posts).toHaveLength(1);
    const requests = feeds.requests.length;
    await new Promise((r) => setTimeout(r, 1200));
    expect(feeds.requests.length).toBe(requests);
  });

  it('refuses a cron expression or a reminder it cannot use', () => {
    expect(() => watcherOn(t.store, POLICY, 'every five minutes')).toThrow('MAINTENANCE_CRON "every five minutes" is not a cron expression');
    expect(() => watcherOn(t.store, { ...POLICY, reminders: ['soon'] })).toThrow('maintenance reminder "soon"');
  });
});
