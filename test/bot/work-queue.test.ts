import { describe, it, expect } from '@jest/globals';
import { workQueue } from '../../src/bot/work-queue.js';

describe('workQueue', () => {
  it('runs at most `concurrency` tasks at once, the waiting ones in arrival order', async () => {
    const queue = workQueue(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const task = (n: number) => async () => {
      started.push(n);
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
      return n;
    };
    const first = [1, 2, 3, 4].map((n) => queue.run(task(n)));
    // A newcomer arriving as a slot frees up waits behind those already queued.
    const late = first[0]!.then(() => queue.run(task(5)));
    expect(await Promise.all([...first, late])).toEqual([1, 2, 3, 4, 5]);
    expect(most).toBe(2);
    expect(started).toEqual([1, 2, 3, 4, 5]);
  });

  it('frees the slot of a task that throws', async () => {
    const queue = workQueue(1);
    await expect(queue.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await queue.run(async () => 'next')).toBe('next');
  });
});
