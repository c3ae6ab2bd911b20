import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createStatusFeedClient } from '../../src/ops/heroku/status-feed.js';
import { createTrustClient } from '../../src/ops/heroku/trust.js';
import { startSimulatedHeroku, type SimulatedHeroku } from '../../src/sandbox/heroku/index.js';
import { replies } from '../../src/status/messages.js';
import type { MaintenanceNotice } from '../../src/status/notice.js';
import { MaintenanceWatcher } from '../../src/status/watcher.js';
import { createTestStore, type TestStore } from '../support/backends.js';
import { RecordingNotifier } from './support/recording-notifier.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The watcher against the simulated Heroku's notice board: both feeds, ETags, and its clock. */
describe('the maintenance watcher on the simulated Heroku', () => {
  let heroku: SimulatedHeroku;
  let t: TestStore;
  beforeAll(async () => {
    heroku = await startSimulatedHeroku();
    t = await createTestStore('sqlite');
  });
  afterAll(async () => {
    await heroku.close();
    await t.dispose();
  });

  it('announces, follows a reschedule across a restart, reminds, and closes with the notice board', async () => {
    const notifier = new RecordingNotifier();
    const watcherOn = (store: TestStore['store']) =>
      new MaintenanceWatcher({
        store,
        sources: {
          status: createStatusFeedClient({ baseUrl: heroku.url, timeoutMs: 2000 }),
          trust: createTrustClient({ baseUrl: `${heroku.url}/v1`, timeoutMs: 2000 }),
        },
        notifier,
        policy: { channels: ['C0MAINT01'], regions: ['Virginia'], reminders: ['24h', '1h', 'start', 'end'] },
        now: () => new Date(heroku.world.clock.now()),
      });
    const jumpTo = (at: number) => heroku.world.advance(at - heroku.world.clock.now());

    const start = Math.ceil(heroku.world.clock.now() / HOUR) * HOUR + 14 * DAY;
    const notice = heroku.notices.announce({ window: { start, end: start + 45 * MINUTE }, region: 'Virginia' });
    let watcher = watcherOn(t.store);
    await watcher.tick();
    expect(notifier.posts).toHaveLength(1);
    const announced = notifier.posts[0]?.notice as MaintenanceNotice;
    expect(announced).toMatchObject({
      id: `heroku:${notice.id}`,
      state: 'scheduled',
      start: new Date(start).toISOString(),
      end: new Date(start + 45 * MINUTE).toISOString(),
      regions: ['Virginia'],
      confidence: 'high',
    });

    heroku.world.advance(2 * DAY);
    const moved = start + DAY + HOUR;
    notice.reschedule({ start: moved, end: moved + 45 * MINUTE });
    await watcher.tick();
    const rescheduled = notifier.updates.at(-1)?.notice as MaintenanceNotice;
    expect(rescheduled.start).toBe(new Date(moved).toISOString());

    await watcher.stop();
    watcher = watcherOn(await t.reopen());
    await watcher.tick();
    jumpTo(moved - DAY);
    await watcher.tick();
    jumpTo(moved - HOUR);
    await watcher.tick();

    jumpTo(moved + MINUTE);
    notice.start();
    await watcher.tick();
    const underway = notifier.updates.at(-1)?.notice as MaintenanceNotice;
    expect(underway.state).toBe('in_progress');
    expect(heroku.notices.systemColors().Data).toBe('blue');

    jumpTo(moved + 40 * MINUTE);
    notice.complete();
    await watcher.tick();
    jumpTo(moved + 2 * HOUR);
    await watcher.tick();

    expect(notifier.posts).toHaveLength(1);
    expect(notifier.repliesIn('C0MAINT01')).toEqual([
      replies.rescheduled(rescheduled, announced),
      replies.reminder(rescheduled, DAY),
      replies.reminder(rescheduled, HOUR),
      replies.started(underway),
      replies.complete(),
    ]);
    expect(notifier.updates.at(-1)?.notice.state).toBe('complete');
    await watcher.stop();
  });
});
