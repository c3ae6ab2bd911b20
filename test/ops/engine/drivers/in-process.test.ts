import { describe, expect, it } from '@jest/globals';
import type { PassResult } from '../../../../src/ops/engine/driver.js';
import { InProcessDriver } from '../../../../src/ops/engine/drivers/in-process.js';

/** A driver whose passes end when the test says, noting the order they started in. */
function harness(concurrency: number, urgent: Set<string>) {
  const driver = new InProcessDriver(() => Date.now(), { concurrency });
  const started: string[] = [];
  const ends = new Map<string, (result: PassResult) => void>();
  driver.attach(
    (runId) =>
      new Promise<PassResult>((resolve) => {
        started.push(runId);
        ends.set(runId, resolve);
      }),
    (runId) => urgent.has(runId),
  );
  const end = async (runId: string) => {
    ends.get(runId)!('stop');
    ends.delete(runId);
    // The pass's then/finally run on later microtasks.
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { driver, started, end };
}

describe('the in-process driver', () => {
  it('passes a run in its cutover at once, and the other runs at most `concurrency` at a time, in order', async () => {
    const urgent = new Set<string>();
    const { driver, started, end } = harness(2, urgent);
    for (const runId of ['poll-1', 'poll-2', 'poll-3', 'poll-4']) await driver.wake(runId);
    expect(started).toEqual(['poll-1', 'poll-2']);
    urgent.add('cutover');
    await driver.wake('cutover');
    expect(started).toEqual(['poll-1', 'poll-2', 'cutover']);
    // A cutover's pass takes no slot of the others.
    await end('cutover');
    expect(started).toHaveLength(3);
    await end('poll-2');
    expect(started).toEqual(['poll-1', 'poll-2', 'cutover', 'poll-3']);
    await end('poll-1');
    await end('poll-3');
    expect(started).toEqual(['poll-1', 'poll-2', 'cutover', 'poll-3', 'poll-4']);
    await end('poll-4');
    await driver.stop();
  });

  it('never runs two passes of a run at once, queued or not', async () => {
    const { driver, started, end } = harness(1, new Set());
    await driver.wake('a');
    await driver.wake('b');
    await driver.wake('b');
    await driver.wake('a');
    expect(started).toEqual(['a']);
    await end('a');
    // `a` was kicked during its pass: it goes again, but after `b`, which was waiting first.
    expect(started).toEqual(['a', 'b']);
    await end('b');
    expect(started).toEqual(['a', 'b', 'a']);
    await end('a');
    expect(started).toEqual(['a', 'b', 'a']);
    await driver.stop();
  });

  it('does not keep a cancel waiting for a slot', async () => {
    const { driver, started, end } = harness(1, new Set());
    await driver.wake('busy');
    const settled = driver.settle('cancelled');
    expect(started).toEqual(['busy', 'cancelled']);
    await end('cancelled');
    await settled;
    await end('busy');
    await driver.stop();
  });
});
