import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { queueSchemaFor, startJobQueue, type JobQueue } from '../../src/queue/index.js';
import { QueueRunDriver, RUN_QUEUE } from '../../src/queue/run-driver.js';
import type { Engine, EngineOptions } from '../../src/ops/engine/index.js';
import { createTestStore, postgresAvailable, postgresUrl, type TestStore } from '../support/backends.js';
import { buildEngine, FakeApp, silent, startChangeover, statusIs, until, type Deps } from '../ops/engine/support.js';

/**
 * Two replicas in one test process: two engines, each with its own pg-boss on the same schema and
 * the same Postgres store, as two dynos would have. One run's passes never overlap, any replica's
 * click wakes the run, and a replica that stops answering mid-pass loses the run to the other at
 * the job's expiry, which re-probes before mutating.
 */

const available = await postgresAvailable();
const describePg = available ? describe : describe.skip;

describePg('runs driven through the job queue by two replicas', () => {
  let t: TestStore;
  const opened: Array<{ engine: Engine; queue: JobQueue }> = [];

  beforeAll(async () => {
    t = await createTestStore('postgres');
  });
  afterEach(async () => {
    for (const { engine, queue } of opened.splice(0)) {
      await engine.stop(Date.now() + 500);
      await queue.stop(500);
    }
  });
  afterAll(async () => {
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    const queueSchema = await queueSchemaFor(t.store);
    await t.dispose();
    await admin.query(`drop schema if exists ${queueSchema} cascade`);
    await admin.end();
  });

  /** A replica: its own store connection, job queue and engine. */
  async function replica(apps: Map<string, FakeApp>, options: Partial<EngineOptions<Deps>> = {}, expirySeconds = 30) {
    const store = await t.reopen();
    const queue = await startJobQueue({ store, logger: silent, maintenanceIntervalSeconds: 1 });
    const driver = new QueueRunDriver({ queue, logger: silent, expirySeconds, pollIntervalMs: 200 });
    await driver.init();
    const engine = buildEngine(store, apps, { driver, ...options });
    await engine.resumeAll();
    opened.push({ engine, queue });
    return { engine, queue, driver };
  }

  it('runs a changeover once across two replicas, approved on the one that did not start it', async () => {
    const apps = new Map([['two-replicas', new FakeApp()]]);
    const active: string[] = [];
    let overlaps = 0;
    const watch: EngineOptions<Deps>['onTransition'] = async (point, runId) => {
      if (point === 'before_step') {
        if (active.includes(runId)) overlaps++;
        active.push(runId);
        await new Promise((resolve) => setTimeout(resolve, 5));
        active.splice(active.indexOf(runId), 1);
      }
    };
    const a = await replica(apps, { onTransition: watch });
    const b = await replica(apps, { onTransition: watch });
    const run = await startChangeover(a.engine, 'two-replicas');
    await until(b.engine, run.id, statusIs('awaiting_approval'), 15_000);
    expect((await b.engine.approve({ runId: run.id, userId: 'U0APPROVER', planHash: run.planHash })).outcome).toBe('approved');
    const done = await until(a.engine, run.id, statusIs('succeeded'), 15_000);
    expect(done.steps.every((s) => s.status === 'done')).toBe(true);
    const app = apps.get('two-replicas')!;
    expect(app.applied).toMatchObject({ createFollower: 1, maintenanceOn: 1, maintenanceOff: 1 });
    expect(overlaps).toBe(0);
    // The run's wake-ups are spent: none waits, none is active (the last pass completes its job just
    // after the run's final commit, so look for a few seconds).
    const left = () => a.queue.query(`select state from ${a.queue.schema}.job where name = $1 and singleton_key = $2 and state in ('created', 'retry', 'active')`, [RUN_QUEUE, run.id]);
    const deadline = Date.now() + 5_000;
    while ((await left()).rows.length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await left()).rows).toEqual([]);
  }, 40_000);

  it('hands a run whose replica stopped mid-action to the other after the job expires; the mutation is made once', async () => {
    const apps = new Map([['takeover', new FakeApp()]]);
    // Replica A hangs for good right before sending the follower's creation, as a frozen process would.
    let hung = false;
    const a = await replica(apps, {
      onTransition: async (point, _runId, stepIdx) => {
        if (point === 'before_do' && stepIdx === 1 && !hung) {
          hung = true;
          await new Promise(() => undefined);
        }
      },
    }, 3);
    const run = await startChangeover(a.engine, 'takeover', { approvalsRequired: 0 });
    await until(a.engine, run.id, (r) => r.steps[1]!.status === 'running', 10_000);
    const stalled = Date.now();
    const b = await replica(apps, {}, 3);
    const done = await until(b.engine, run.id, statusIs('succeeded'), 20_000);
    // Not before the job's expiry: until then the run is A's.
    const tookOver = Date.parse(done.steps[1]!.finishedAt!);
    expect(tookOver - stalled).toBeGreaterThanOrEqual(2_000);
    expect(apps.get('takeover')!.applied.createFollower).toBe(1);
    expect(apps.get('takeover')!.probes).toBeGreaterThan(0);
  }, 40_000);
  it('keeps a pass that outlives the expiry by its heartbeats: no other replica takes the run meanwhile', async () => {
    const apps = new Map([['long-pass', new FakeApp()]]);
    // Replica A takes 6 s before sending the follower's creation: twice the 3 s expiry, within its 9 s longest pass.
    const passes: string[] = [];
    let slowEnded = false;
    const a = await replica(apps, {
      onTransition: async (point, _runId, stepIdx) => {
        if (point !== 'before_do' || stepIdx !== 1) return;
        passes.push('a');
        if (passes.length > 1) return;
        await new Promise((resolve) => setTimeout(resolve, 6_000));
        slowEnded = true;
      },
    }, 3);
    const run = await startChangeover(a.engine, 'long-pass', { approvalsRequired: 0 });
    const b = await replica(apps, { onTransition: (point, _runId, stepIdx) => void (point === 'before_do' && stepIdx === 1 && passes.push('b')) }, 3);
    const done = await until(b.engine, run.id, statusIs('succeeded'), 30_000);
    expect(slowEnded).toBe(true);
    expect(done.steps[1]!.status).toBe('done');
    // Without the heartbeat A's job would expire at 3 s and a pass of either replica would send the mutation again.
    expect(passes).toEqual(['a']);
    expect(apps.get('long-pass')!.applied.createFollower).toBe(1);
  }, 60_000);

  it('stays responsive while every pass slot is busy and wake-ups keep arriving', async () => {
    const store = await t.reopen();
    const queue = await startJobQueue({ store, logger: silent, maintenanceIntervalSeconds: 1 });
    const driver = new QueueRunDriver({ queue, logger: silent, concurrency: 1, pollIntervalMs: 200 });
    await driver.init();
    const passes: string[] = [];
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    driver.attach(async (runId) => {
      passes.push(runId);
      if (runId === 'slot-holder') await held;
      return 'stop';
    });
    await driver.start();
    try {
      await driver.wake('slot-holder');
      const deadline = Date.now() + 10_000;
      while (!driver.busy('slot-holder') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(driver.busy('slot-holder')).toBe(true);
      // A wake-up due now pokes the full fetch loop (as a click on this process does): it must wait, not spin.
      await driver.wake('waiting-run');
      const ticks = await new Promise<number>((resolve) => {
        let n = 0;
        const timer = setInterval(() => {
          if (++n === 5) {
            clearInterval(timer);
            resolve(n);
          }
        }, 20);
      });
      expect(ticks).toBe(5);
      expect(passes).toEqual(['slot-holder']);
      release();
      while (!passes.includes('waiting-run') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(passes).toEqual(['slot-holder', 'waiting-run']);
    } finally {
      release();
      await driver.stop(Date.now() + 1_000);
      await queue.stop(500);
    }
  }, 30_000);
});
