import { describe, expect, it } from '@jest/globals';
import { createLimits, ReadRefused } from '../../src/ops/limits.js';
import { watchLimits } from '../../src/ops/watch-budget.js';

describe('the watchers’ budget', () => {
  it('caps what the watchers spend per hour and puts their calls behind a run’s polling', async () => {
    const limits = createLimits({ capacity: 100, refillPerMinute: 1 });
    const watchers = watchLimits(limits, { requestsPerHour: 3 });
    try {
      const order: string[] = [];
      const call = (name: string) => async () => {
        order.push(name);
        return name;
      };
      // Three watcher calls fit the budget; the fourth waits for its refill (20 minutes away).
      const watched = ['w1', 'w2', 'w3', 'w4'].map((name) => watchers.heroku.schedule({}, call(name)));
      await Promise.all(watched.slice(0, 3));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(order).toEqual(['w1', 'w2', 'w3']);
      expect(watchers.waiting()).toBe(1);
      // A run's call is not held by the watchers' empty budget.
      await expect(limits.heroku.schedule({ priority: 'background' }, call('run'))).resolves.toBe('run');
      expect(order).toEqual(['w1', 'w2', 'w3', 'run']);
      void watched[3]?.catch(() => undefined);
    } finally {
      await watchers.disconnect();
      await limits.disconnect();
    }
  });

  it('never spends the reserve kept for runs: at it, a watcher’s call is refused while a run’s waits its turn', async () => {
    const limits = createLimits({ capacity: 10, refillPerMinute: 6 });
    const watchers = watchLimits(limits, { requestsPerHour: 1000 });
    try {
      const order: string[] = [];
      const record = (name: string) => async () => void order.push(name);
      // A run spends the bucket down to the reserve (a fifth of it).
      for (let i = 0; i < 8; i++) await limits.heroku.schedule({}, record(`run ${i}`));
      await expect(watchers.heroku.schedule({}, record('watcher'))).rejects.toBeInstanceOf(ReadRefused);
      await limits.heroku.schedule({ priority: 'background' }, record('run 8'));
      expect(order).not.toContain('watcher');
      expect(order.at(-1)).toBe('run 8');
      // Heroku Connect has no shared bucket: the watchers' call there only goes after the others.
      await expect(watchers.connect.schedule({}, async () => 'read')).resolves.toBe('read');
    } finally {
      await watchers.disconnect();
      await limits.disconnect();
    }
  });
});
