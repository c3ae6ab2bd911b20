import { createHook } from 'node:async_hooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { createEngine, type Engine } from '../../../src/ops/engine/index.js';
import { ambientPriority } from '../../../src/ops/request-priority.js';
import { action, runbook, runbookRegistry, wait, type Duration, type WaitResult } from '../../../src/ops/runbooks/runbook.js';
import type { Store } from '../../../src/store/index.js';
import { createTestStore, storeDialects, type TestStore } from '../../support/backends.js';
import { silent, statusIs, until } from './support.js';

const dialects = await storeDialects();

/** A wait whose condition the test controls, counting every probe per app and noting when it came. */
function probedWait(options: { every: Duration; max?: Duration; timeout: Duration }) {
  const probes = new Map<string, number>();
  const polledAt: number[] = [];
  let answer: (app: string) => WaitResult = () => ({ done: false, progress: 'behind by 40000 commits' });
  const caughtUp = wait<unknown, { app: string }>('the follower has caught up', async (ctx) => {
    probes.set(ctx.app, (probes.get(ctx.app) ?? 0) + 1);
    polledAt.push(Date.now());
    return answer(ctx.app);
  }, { every: options.every, max: options.max, timeout: options.timeout });
  const params = z.object({ app: z.string() });
  const book = runbook<unknown, { app: string }>({ name: 'catch-up', summary: 'Wait for a follower to catch up', params, steps: () => [caughtUp] });
  // The same wait with writes stopped around it, as in a cutover.
  const writesStopped = (downtime: 'starts' | 'ends') =>
    action<unknown, { app: string }>(`writes ${downtime === 'starts' ? 'stop' : 'resume'}`, { do: async () => undefined, done: async () => false, calls: [], downtime });
  const cutover = runbook<unknown, { app: string }>({
    name: 'cutover',
    summary: 'Wait for a follower to catch up with writes stopped',
    params,
    steps: () => [writesStopped('starts'), caughtUp, writesStopped('ends')],
  });
  return {
    registry: runbookRegistry<unknown>(book, cutover),
    probes,
    /** The time between one poll and the next, of any run. */
    gaps: () => polledAt.slice(1).map((at, i) => at - polledAt[i]!),
    total: () => [...probes.values()].reduce((a, b) => a + b, 0),
    answer: (fn: (app: string) => WaitResult) => (answer = fn),
  };
}

const start = (engine: Engine, app: string, runbookName = 'catch-up') =>
  engine.start({ runbook: runbookName, app, requestedBy: 'U0REQUEST', approvalsRequired: 0, approvalTimeoutMs: 0 });

/** Timers created from now on that are still pending. */
function liveTimers() {
  const alive = new Set<number>();
  const hook = createHook({
    init: (id, type) => void (type === 'Timeout' && alive.add(id)),
    destroy: (id) => void alive.delete(id),
  }).enable();
  return { alive: () => alive.size, disable: () => hook.disable() };
}

/** Destroy hooks run a little after a timer ends. */
const settleHooks = async () => {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
};

/** `count()` once it equals `want`, or its last value after 2 s; waits on setImmediate, not a timer. */
async function settledCount(count: () => number, want: number): Promise<number> {
  const deadline = Date.now() + 2000;
  while (count() !== want && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
  return count();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Resolves with what `probe` returns once it returns something, failing after `timeoutMs`. Poll
 * counts are compared this way rather than after a fixed sleep: a loaded machine makes polls late,
 * never early, so a lower bound is waited for and an upper bound is measured against the real time.
 */
async function eventually<T>(probe: () => T | undefined, timeoutMs = 4000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`not there after ${timeoutMs} ms`);
    await sleep(5);
  }
}

describe.each(dialects)('waits and the scheduler on %s', (dialect) => {
  let t: TestStore;
  let engines: Engine[] = [];
  /** An engine on the catch-up runbook, stopped after the test whatever happens. */
  const engineFor = (w: ReturnType<typeof probedWait>, options: { timeScale?: number; pollBudgetPerHour?: number; store?: Store } = {}) => {
    const engine = createEngine({ store: t.store, runbooks: w.registry, deps: undefined, logger: silent, ...options });
    engines.push(engine);
    return engine;
  };
  beforeAll(async () => {
    t = await createTestStore(dialect);
  });
  afterEach(async () => {
    await Promise.all(engines.map((e) => e.stop()));
    engines = [];
  });
  afterAll(async () => {
    await t.dispose();
  });

  it('outside a cutover polls as slowly as its lateness allowance (30 s) and its max let it, and times out', async () => {
    // At 25x (slow enough that a loaded machine still fits the polls in): the allowance (30 s) is over
    // max (8 s): a poll every 320 ms, timeout 2.4 s: polls at 0, 320, ..., 2240, 2400.
    const w = probedWait({ every: '1s', max: '8s', timeout: '60s' });
    const engine = engineFor(w, { timeScale: 25 });
    const started = await start(engine, `${dialect}-slow`);
    const run = await until(engine, started.id, statusIs('failed'));
    await engine.stop();
    expect(w.total()).toBeLessThanOrEqual(9);
    // A load makes polls late, never early: each gap is at least max, never every.
    const gaps = w.gaps().slice(0, -1); // the last poll is at the timeout
    gaps.forEach((gap) => expect(gap).toBeGreaterThanOrEqual(319));
    expect(gaps.length).toBeGreaterThanOrEqual(3);
    // ...and max caps it (the allowance alone would make them 750 ms).
    expect(Math.max(...gaps)).toBeLessThan(640);
    expect(run.error).toMatchObject({ code: 'wait_timeout', step: 0, stepTitle: 'the follower has caught up' });
    expect(run.error?.message).toBe('"the follower has caught up" did not happen within 1 minute (last seen: behind by 40000 commits).');
    expect(Date.parse(run.finishedAt!) - Date.parse(run.steps[0]!.startedAt!)).toBeGreaterThanOrEqual(2400);
  });

  it('polls at the fast interval while the change is near', async () => {
    // At 100x: near every 20 ms; far every 270 ms (10 % inside its 30 s allowance, under its max).
    const w = probedWait({ every: '2s', max: '32s', timeout: '1h' });
    w.answer((app) => ({ done: false, progress: 'behind by 3 commits', near: app.endsWith('near') }));
    const engine = engineFor(w, { timeScale: 100 });
    const from = Date.now();
    const runs = await Promise.all([start(engine, `${dialect}-near`), start(engine, `${dialect}-far`)]);
    const { near, far, elapsed } = await eventually(() => {
      const seen = { near: w.probes.get(`${dialect}-near`) ?? 0, far: w.probes.get(`${dialect}-far`) ?? 0, elapsed: Date.now() - from };
      return seen.far >= 3 && seen.near >= 2 * seen.far ? seen : undefined;
    });
    w.answer(() => ({ done: true }));
    await Promise.all(runs.map((r) => until(engine, r.id, statusIs('succeeded'))));
    await engine.stop();
    // Never faster than the intervals: far at 0, 270, 540... ms; near every 20 ms plus the engine's own time.
    expect(far).toBeLessThanOrEqual(Math.floor(elapsed / 270) + 1);
    expect(near).toBeLessThanOrEqual(Math.floor(elapsed / 20) + 1);
  });

  it('in a cutover, aims at the moment the reported remainder should reach 0 instead of polling every interval', async () => {
    // 60 simulated seconds of replay at 100x (600 ms), polled every 1 s (10 ms) would be about 60 polls.
    const w = probedWait({ every: '1s', timeout: '1h' });
    const drainMs = 600;
    let startedAt: number | undefined;
    let doneAt: number | undefined;
    w.answer(() => {
      startedAt ??= Date.now();
      const remaining = Math.max(0, Math.round(6000 * (1 - (Date.now() - startedAt) / drainMs)));
      if (remaining > 0) return { done: false, progress: `behind by ${remaining} commits`, remaining };
      doneAt ??= Date.now();
      return { done: true };
    });
    const engine = engineFor(w, { timeScale: 100 });
    const run = await start(engine, `${dialect}-drain`, 'cutover');
    await until(engine, run.id, statusIs('succeeded'), 10_000);
    await engine.stop();
    const polls = w.probes.get(`${dialect}-drain`)!;
    // It measured the rate (three polls at least) and then skipped most of the way.
    expect(polls).toBeGreaterThanOrEqual(3);
    expect(polls).toBeLessThanOrEqual(20);
    expect(doneAt! - startedAt!).toBeGreaterThanOrEqual(drainMs);
  });

  it('in a cutover, aims at the moment the probe says the awaited thing usually takes, instead of polling every interval', async () => {
    // At 100x: it usually takes 60 s (600 ms real), and holds then; every 1 s (10 ms) would be 60 polls.
    const w = probedWait({ every: '1s', timeout: '1h' });
    let startedAt: number | undefined;
    w.answer(() => {
      startedAt ??= Date.now();
      return Date.now() - startedAt < 600 ? { done: false, progress: 'Release phase running: v42', usually: 60_000 } : { done: true };
    });
    const engine = engineFor(w, { timeScale: 100 });
    const run = await start(engine, `${dialect}-usually`, 'cutover');
    await until(engine, run.id, statusIs('succeeded'), 10_000);
    await engine.stop();
    const polls = w.probes.get(`${dialect}-usually`)!;
    // Halving the way to 600 ms, then every 10 ms around it: a handful of polls.
    expect(polls).toBeGreaterThanOrEqual(2);
    expect(polls).toBeLessThanOrEqual(15);
  });

  it('sends a cutover step’s requests at the cutover priority, and others at the default', async () => {
    const seen = new Map<string, string | undefined>();
    const w = probedWait({ every: '1s', timeout: '1h' });
    w.answer((app) => {
      seen.set(app, ambientPriority());
      return { done: true };
    });
    const engine = engineFor(w, { timeScale: 100 });
    const [inside, outside] = await Promise.all([start(engine, `${dialect}-prio-in`, 'cutover'), start(engine, `${dialect}-prio-out`)]);
    await Promise.all([until(engine, inside.id, statusIs('succeeded')), until(engine, outside.id, statusIs('succeeded'))]);
    await engine.stop();
    expect(seen.get(`${dialect}-prio-in`)).toBe('cutover');
    expect(seen.get(`${dialect}-prio-out`)).toBeUndefined();
  });

  it('shares the polling budget among many waiting runs', async () => {
    const w = probedWait({ every: '1s', timeout: '1h' });
    w.answer(() => ({ done: false, near: true }));
    // 20 runs, 36000 requests an hour: each polls every 2 s instead of every 1 s (20 ms at 100x).
    const engine = engineFor(w, { timeScale: 100, pollBudgetPerHour: 36_000 });
    const runs = await Promise.all(Array.from({ length: 20 }, (_, i) => start(engine, `${dialect}-many-${i}`)));
    // 20 runs on a loaded machine (and Postgres) take their time to get there: a bound on
    // liveness, not on speed (the budget is measured below against the real time elapsed).
    await Promise.all(runs.map((r) => until(engine, r.id, (v) => v.steps[0]!.attempts >= 2, 20_000)));
    const from = { probes: new Map(w.probes), total: w.total(), at: Date.now() };
    await sleep(400);
    // Every run still polls: each at least once more, however loaded the machine.
    const { polls, elapsed } = await eventually(() =>
      runs.every((r) => w.probes.get(r.app)! > from.probes.get(r.app)!) ? { polls: w.total() - from.total, elapsed: Date.now() - from.at } : undefined,
    );
    w.answer(() => ({ done: true }));
    await Promise.all(runs.map((r) => until(engine, r.id, statusIs('succeeded'), 20_000)));
    await engine.stop();
    // Within budget: 20 runs × elapsed / 20 ms, i.e. one poll a millisecond (two without the budget), with 10% to spare.
    expect(polls).toBeLessThanOrEqual(elapsed * 1.1);
    expect(polls).toBeGreaterThanOrEqual(20);
  }, 60_000);

  it('never stretches a wait inside a cutover to fit the polling budget', async () => {
    const w = probedWait({ every: '1s', timeout: '1h' });
    w.answer(() => ({ done: false, near: true }));
    // 360 requests an hour for 2 waiting runs: one poll every 20 s (200 ms at 100x) at most, except
    // in the cutover, where writes are stopped: there the wait keeps its 1 s (10 ms).
    const engine = engineFor(w, { timeScale: 100, pollBudgetPerHour: 360 });
    const [cutover, other] = await Promise.all([start(engine, `${dialect}-cutover`, 'cutover'), start(engine, `${dialect}-other`)]);
    await until(engine, cutover!.id, (v) => v.steps[1]!.attempts >= 1);
    await until(engine, other!.id, (v) => v.steps[0]!.attempts >= 1);
    const probes = (name: string) => w.probes.get(`${dialect}-${name}`)!;
    const from = { cutover: probes('cutover'), other: probes('other'), at: Date.now() };
    // The cutover soon polls 15 times, more than the budget would allow it in that time, however loaded the machine.
    const polls = await eventually(() => {
      const seen = { cutover: probes('cutover') - from.cutover, other: probes('other') - from.other, elapsed: Date.now() - from.at };
      return seen.cutover >= 15 && seen.cutover > seen.elapsed / 200 + 1 ? seen : undefined;
    });
    w.answer(() => ({ done: true }));
    await Promise.all([until(engine, cutover!.id, statusIs('succeeded')), until(engine, other!.id, statusIs('succeeded'), 1000)]);
    await engine.stop();
    // Never faster than the intervals: one poll every 10 ms in the cutover, one every 200 ms outside it.
    expect(polls.other).toBeLessThanOrEqual(Math.floor(polls.elapsed / 200) + 1);
    expect(polls.cutover).toBeGreaterThanOrEqual(15);
    expect(polls.cutover).toBeLessThanOrEqual(Math.floor(polls.elapsed / 10) + 1);
  });

  it('stores each wait’s next poll time and scales it, and the approval timeout, by the time scale', async () => {
    const w = probedWait({ every: '10s', max: '10s', timeout: '1h' });
    const engine = engineFor(w, { timeScale: 10 });
    const started = await start(engine, `${dialect}-scaled`);
    const run = await until(engine, started.id, (r) => r.steps[0]!.nextPollAt !== null);
    await engine.stop();
    // 10 s at 10x: the next poll is 1 s after the first one.
    const gap = Date.parse(run.steps[0]!.nextPollAt!) - Date.parse(run.steps[0]!.startedAt!);
    expect(gap).toBeGreaterThanOrEqual(1000);
    expect(gap).toBeLessThan(1500);
    expect(w.total()).toBe(1);
  });

  it('keeps one timer for all sleeping runs and none after stop(); a restarted engine waits for the stored poll time', async () => {
    const w = probedWait({ every: '1h', timeout: '10h' });
    const timers = liveTimers();
    const engine = engineFor(w);
    const runs = await Promise.all([1, 2, 3].map((i) => start(engine, `${dialect}-timers-${i}`)));
    // Only this test's runs: a restarted engine also resumes the runs earlier tests left waiting in the store.
    const own = () => runs.reduce((n, r) => n + (w.probes.get(r.app) ?? 0), 0);
    await Promise.all(runs.map((r) => until(engine, r.id, (v) => v.steps[0]!.nextPollAt !== null)));
    await sleep(50);
    await settleHooks();
    expect(own()).toBe(3);
    // Three runs asleep for an hour: one timer for all of them (pg's pool keeps idle-client timers of
    // its own). On a loaded machine a pass's short-lived timers may still be ending: wait for them
    // without a timer of our own, which would count.
    if (dialect === 'sqlite') expect(await settledCount(timers.alive, 1)).toBe(1);
    await engine.stop();
    await settleHooks();
    if (dialect === 'sqlite') expect(timers.alive()).toBe(0);
    timers.disable();

    const again = engineFor(w, { store: await t.reopen() });
    await again.resumeAll();
    await sleep(50);
    expect(own()).toBe(3);
    await again.stop();
  });
});
