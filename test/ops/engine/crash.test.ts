import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Engine, TransitionPoint } from '../../../src/ops/engine/index.js';
import type { Store } from '../../../src/store/index.js';
import { createTestStore, storeDialects, type TestStore } from '../../support/backends.js';
import { buildEngine, changeover, FakeApp, startChangeover, statusIs, until } from './support.js';

const dialects = await storeDialects();

/** Every transition of the changeover runbook: each step's boundaries, and each action around its mutation. */
const crashPoints: Array<[TransitionPoint, number]> = changeover
  .steps({ app: 'x' })
  .flatMap((step, idx): Array<[TransitionPoint, number]> =>
    step.kind === 'action'
      ? [['before_step', idx], ['before_do', idx], ['after_do', idx], ['after_step', idx]]
      : [['before_step', idx], ['after_step', idx]],
  );

describe.each(dialects)('crash safety on %s', (dialect) => {
  let t: TestStore;
  /** The restarted process's connection to the same database. */
  let restarted: Store;
  let engines: Engine[] = [];
  beforeAll(async () => {
    t = await createTestStore(dialect);
    restarted = await t.reopen();
  });
  afterEach(async () => {
    await Promise.all(engines.map((e) => e.stop()));
    engines = [];
  });
  afterAll(async () => {
    await t.dispose();
  });

  it('covers every step boundary and every mutation', () => {
    expect(crashPoints).toHaveLength(4 * 4 + 4 * 2);
  });

  it.each(crashPoints)('resumes after a crash at %s of step %i with every mutation made exactly once', async (point, stepIdx) => {
    const app = `crash-${dialect}-${point.replace('_', '-')}-${stepIdx}`;
    const fake = new FakeApp();
    const apps = new Map([[app, fake]]);
    let halted!: () => void;
    const crashed = new Promise<void>((resolve) => (halted = resolve));
    const before = buildEngine(t.store, apps, {
      onTransition: (at, _runId, idx) => {
        if (at !== point || idx !== stepIdx) return;
        halted();
        throw new Error(`crash at ${at} of step ${idx}`);
      },
    });
    engines.push(before);
    const started = await startChangeover(before, app, { approvalsRequired: 0 });
    await crashed;
    await before.stop();
    const stuck = await before.getRun(started.id);
    expect(stuck?.finishedAt).toBeNull();

    // A new process on the same database.
    const after = buildEngine(restarted, apps);
    engines.push(after);
    await after.resumeAll();
    const run = await until(after, started.id, statusIs('succeeded'));

    expect(fake.applied).toEqual({ createFollower: 1, destroyFollower: 0, maintenanceOn: 1, maintenanceOff: 1, scaleDown: 1, scaleUp: 0, pause: 0, resume: 0 });
    expect(run.outputs).toEqual({ follower: `follower-${started.id}`, workers: 3 });
    // Only the crashed action may show a second attempt, and only when it was interrupted before its mutation.
    const attempts = run.steps.filter((s) => s.kind === 'action').map((s) => s.attempts);
    expect(attempts.filter((n) => n > 1).length).toBeLessThanOrEqual(point === 'before_do' ? 1 : 0);
    expect((await after.auditTrail(started.id)).some((e) => e.type === 'run.resumed')).toBe(true);
  });
});
