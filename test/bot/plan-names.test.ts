import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { LivePlanNames } from '../../src/bot/plan-names.js';
import { startSandbox, type Sandbox } from '../support/simulated-heroku.js';

/** Heroku Postgres plan names read live from the simulated Platform API, cached, and what stands when it cannot be read. */
describe('the Heroku Postgres plan names the bot offers', () => {
  let heroku: Sandbox;
  let now: number;
  let errors: unknown[];
  beforeAll(async () => {
    heroku = await startSandbox();
  });
  afterAll(() => heroku.close());
  beforeEach(() => {
    heroku.sim.reset();
    heroku.sim.setFaults({ errorRate: 0 });
    now = 0;
    errors = [];
  });

  const live = () => new LivePlanNames({ platform: heroku.clients.platform, ttlMs: 3_600_000, retryMs: 60_000, now: () => now, onError: (e) => errors.push(e) });
  const planReads = () => heroku.sim.world.requestLog.list().filter((r) => r.path === '/addon-services/heroku-postgresql/plans').length;

  it('reads them from Plan List By Add-on, without the service prefix, once an hour', async () => {
    const names = live();
    const [first, second] = await Promise.all([names.get(), names.get()]);
    expect(first).toEqual(expect.arrayContaining(['essential-0', 'standard-0', 'premium-4', 'shield-0']));
    expect(first?.some((n) => n.includes(':'))).toBe(false);
    expect(second).toBe(first);
    expect(planReads()).toBe(1);
    now += 30 * 60_000;
    await names.get();
    expect(planReads()).toBe(1);
    now += 31 * 60_000;
    await names.get();
    expect(planReads()).toBe(2);
  });

  it('gives nothing (free text) when Heroku has never answered, keeps the last list when it stops answering, and does not ask again at once', async () => {
    const warm = live();
    const list = await warm.get();
    heroku.sim.setFaults({ errorRate: 1, errorHosts: ['platform'] });
    const cold = live();
    expect(await cold.get()).toBeUndefined();
    expect(errors).toHaveLength(1);
    const reads = planReads();
    expect(await cold.get()).toBeUndefined();
    expect(planReads()).toBe(reads);

    now += 2 * 3_600_000;
    expect(await warm.get()).toEqual(list);
    heroku.sim.setFaults({ errorRate: 0 });
    now += 2 * 60_000;
    expect(await cold.get()).toEqual(list);
  });
});
