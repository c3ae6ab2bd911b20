import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { queueSchemaFor, startJobQueue, type JobQueue } from '../../src/queue/index.js';
import { queuePeriodic } from '../../src/queue/periodic.js';
import type { PeriodicTasks } from '../../src/periodic.js';
import type { Store } from '../../src/store/index.js';
import { createTestStore, postgresAvailable, postgresUrl, type TestStore } from '../support/backends.js';
import { silent } from '../ops/engine/support.js';

/**
 * A periodic task (the maintenance watcher's poll) registered by three replicas on one Postgres,
 * each with its own pool and pg-boss: each tick of the schedule runs on one replica only.
 */

const available = await postgresAvailable();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

(available ? describe : describe.skip)('periodic tasks across replicas', () => {
  let t: TestStore;
  const opened: Array<{ store: Store; queue: JobQueue; periodic: PeriodicTasks }> = [];

  beforeAll(async () => {
    t = await createTestStore('postgres');
  });
  afterAll(async () => {
    for (const { store, queue, periodic } of opened) {
      await periodic.stop();
      await queue.stop(500);
      await store.close();
    }
    const queueSchema = await queueSchemaFor(t.store);
    await t.dispose();
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(`drop schema if exists ${queueSchema} cascade`);
    await admin.end();
  });

  it('runs each tick of a schedule once, on one of three replicas', async () => {
    const ticks: Array<{ replica: number; at: number }> = [];
    // Started together, as `heroku ps:scale web=3` starts them (their setup races on the same objects).
    await Promise.all(
      [0, 1, 2].map(async (replica) => {
        const store = await t.reopen();
        const queue = await startJobQueue({ store, logger: silent, maintenanceIntervalSeconds: 1 });
        const periodic = queuePeriodic(queue, silent);
        periodic.every('watcher', '* * * * *', async () => void ticks.push({ replica, at: Date.now() }));
        await periodic.start();
        opened.push({ store, queue, periodic });
      }),
    );
    // pg-boss looks at its schedules every 10 s and sends a minute's tick once.
    const deadline = Date.now() + 60_000;
    while (ticks.length === 0 && Date.now() < deadline) await sleep(250);
    expect(ticks.length).toBeGreaterThan(0);
    // Three replicas evaluated the schedule meanwhile, several times each: one job a minute, run once.
    await sleep(25_000);
    const { queue } = opened[0]!;
    // pg-boss sends a schedule's tick as a `__pgboss__send-it` job that is a singleton per minute,
    // whose worker then sends the task's job: a job's created_on may fall in the next minute (its
    // send ran late on a loaded machine), so the ticks are counted by their send-it job.
    const { rows: sends } = await queue.query(
      `select singleton_on, count(*)::int as sends from ${queue.schema}.job where name = '__pgboss__send-it' and singleton_key = $1 group by 1`,
      ['periodic.watcher'],
    );
    const { rows: jobs } = await queue.query(`select state from ${queue.schema}.job where name = $1`, ['periodic.watcher']);
    expect(sends.length).toBeGreaterThan(0);
    expect(sends.every((r) => r.sends === 1)).toBe(true);
    // Each send one job (the last may not be sent yet), each job run once (the last may be running).
    expect(jobs.length).toBeLessThanOrEqual(sends.length);
    expect(jobs.length).toBeGreaterThanOrEqual(sends.length - 1);
    expect(ticks.length).toBeLessThanOrEqual(jobs.length);
    expect(ticks.length).toBeGreaterThanOrEqual(jobs.length - 1);
  }, 120_000);
});
