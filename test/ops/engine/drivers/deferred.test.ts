import { describe, expect, it } from '@jest/globals';
import type { DriveFn, PassResult, UrgentFn } from '../../../../src/ops/engine/driver.js';
import { DeferredDriver } from '../../../../src/ops/engine/drivers/deferred.js';
import { InProcessDriver } from '../../../../src/ops/engine/drivers/in-process.js';
import { checkPassLease, PassLeaseExpired, withPassLease } from '../../../../src/ops/pass-lease.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The driver a process has while it serves Slack before it may drive runs (main.ts: the engine
 * lease or the job queue comes after `$PORT` is bound), and the in-process driver's stop deadline.
 */
describe('DeferredDriver', () => {
  it('records wake-ups until driving starts, then passes each on once, at the earliest time asked', async () => {
    const driven: string[] = [];
    const deferred = new DeferredDriver(false);
    deferred.attach(async (runId): Promise<PassResult> => {
      driven.push(runId);
      return 'stop';
    });
    const later = Date.now() + 60_000;
    await deferred.wake('r1', later);
    await deferred.wake('r1');
    await deferred.wake('r2', later);
    // A cancel's settle cannot wait for a run nobody drives yet: it is recorded and answered at once.
    await deferred.settle('r3', async () => false);
    expect(deferred.busy('r1')).toBe(false);
    await sleep(20);
    expect(driven).toEqual([]);
    expect(() => deferred.adopt('r1')).toThrow(/no run driver yet/);

    deferred.provide(new InProcessDriver(() => Date.now()));
    await deferred.start();
    expect(deferred.driving).toBe(true);
    await sleep(20);
    // r1 was asked for now (the earlier of its two wake-ups), r3 by its cancel; r2 sleeps until later.
    expect(driven.sort()).toEqual(['r1', 'r3']);
    await deferred.wake('r2');
    await sleep(20);
    expect(driven.sort()).toEqual(['r1', 'r2', 'r3']);
    await deferred.stop();
  });

  it('hands the engine\'s cutover test on to the driver provided, attached before or after', () => {
    const drive: DriveFn = async () => 'stop';
    const urgent: UrgentFn = (runId) => runId === 'r-cutover';
    for (const attachFirst of [true, false]) {
      const inner = new InProcessDriver(() => Date.now());
      const attached: unknown[][] = [];
      const attach = inner.attach.bind(inner);
      inner.attach = (...args) => (attached.push(args), attach(...args));
      const deferred = new DeferredDriver(false);
      if (attachFirst) deferred.attach(drive, urgent);
      deferred.provide(inner);
      if (!attachFirst) deferred.attach(drive, urgent);
      // Without it the run's passes in its cutover would queue behind other runs' polling.
      expect(attached).toEqual([[drive, urgent]]);
    }
  });

  it('stops before it ever drove: nothing recorded is driven', async () => {
    const driven: string[] = [];
    const deferred = new DeferredDriver(false);
    deferred.attach(async (runId): Promise<PassResult> => (driven.push(runId), 'stop'));
    await deferred.wake('r1');
    await deferred.stop(Date.now());
    expect(driven).toEqual([]);
  });
});

describe('InProcessDriver.stop', () => {
  it('returns at its deadline while a pass hangs, and the pass may write nothing after it', async () => {
    let release: () => void = () => undefined;
    const hung = new Promise<void>((resolve) => (release = resolve));
    const outcome: { leftBefore?: number; after?: unknown } = {};
    const driver = new InProcessDriver(() => Date.now());
    // As the executor runs a pass: under the lease the driver gives it.
    driver.attach((_runId, lease) =>
      withPassLease(lease, async (): Promise<PassResult> => {
        outcome.leftBefore = checkPassLease();
        await hung; // a Heroku call whose answer does not come
        try {
          checkPassLease();
        } catch (error) {
          outcome.after = error;
        }
        return 'stop';
      }),
    );
    await driver.wake('r1');
    await sleep(20);
    expect(driver.busy('r1')).toBe(true);
    const deadline = Date.now() + 200;
    await driver.stop(deadline);
    expect(Date.now()).toBeGreaterThanOrEqual(deadline - 5); // timers may fire a millisecond early
    expect(outcome.leftBefore).toBe(Infinity);
    // The answer comes after the deadline: the pass finds its lease over and writes nothing.
    release();
    await sleep(20);
    expect(outcome.after).toBeInstanceOf(PassLeaseExpired);
  });

  it('waits for passes that end before the deadline', async () => {
    const driver = new InProcessDriver(() => Date.now());
    let ended = false;
    driver.attach(async (): Promise<PassResult> => {
      await sleep(50);
      ended = true;
      return { until: Date.now() + 60_000 };
    });
    await driver.wake('r1');
    await driver.stop(Date.now() + 5_000);
    expect(ended).toBe(true);
  });
});
