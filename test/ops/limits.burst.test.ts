import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '../../src/log.js';
import { createHerokuClients } from '../../src/ops/heroku/clients.js';
import { isPostgresAddOn } from '../../src/ops/heroku/platform.js';
import { createLimits, type Limits } from '../../src/ops/limits.js';
import { startSimulatedHeroku, type SimulatedHeroku } from '../../src/sandbox/heroku/index.js';

/**
 * A burst of 6000 calls against the simulated Heroku, whose bucket someone else (a person with the
 * Heroku CLI) has just emptied: the limiter learns it from `RateLimit-Remaining` and paces the burst
 * to the refill, so Heroku never has to refuse a call.
 *
 * Slow, about 40 s: for the bucket to set the pace, the refill must stay below the rate the limiter
 * can start calls at all, and Bottleneck's in-process datastore (which yields with setTimeout(0) at
 * each step) starts only 150-300 a second here, with the simulator in the same process.
 */

const bucket = { capacity: 300, refillPerMinute: 9000 }; // 150 tokens a second
const CALLS = 6000;

describe('a burst of 6000 calls on an emptied bucket', () => {
  let sim: SimulatedHeroku;
  let limits: Limits;

  beforeAll(async () => {
    sim = await startSimulatedHeroku({ timeScale: 1000, rateLimit: bucket });
    limits = createLimits(bucket);
  });

  afterAll(async () => {
    await limits.disconnect();
    await sim.close();
  });

  it('never drains the simulated bucket below zero and lets no 429 reach a caller', async () => {
    const { platform, data } = createHerokuClients({ apiKey: sim.token, apiUrl: sim.url, dataApiUrl: sim.url, connectDiscoveryUrl: sim.url, limits, logger: createLogger({ level: 'silent' }) });
    const database = (await platform.addOns('acme-prod')).find(isPostgresAddOn);
    if (!database) throw new Error('the seed has no database on acme-prod');

    while (sim.world.rateLimit.take()); // spent elsewhere on the same account
    // Free, and its RateLimit-Remaining corrects the limiter (from 300 to the few tokens refilled since).
    expect((await platform.rateLimits()).remaining).toBeLessThan(20);
    expect(await limits.herokuRemaining()).toBeLessThan(20);
    sim.clearRequests();

    const started = Date.now();
    // Platform and data API calls share the bucket; one in ten is a user waiting in Slack.
    const results = await Promise.allSettled(
      Array.from({ length: CALLS }, (_, i) => {
        const priority = i % 10 === 0 ? 'interactive' : 'background';
        return i % 3 === 0 ? data.waitStatus(database.id, { priority }) : i % 3 === 1 ? platform.app('acme-prod', { priority }) : platform.formation('acme-prod', { priority });
      }),
    );
    const seconds = (Date.now() - started) / 1000;

    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const served = sim.requests();
    expect(served.filter((r) => r.status === 429)).toEqual([]);
    expect(served).toHaveLength(CALLS);
    // Paced by the refill: 6000 calls from an empty bucket refilled at 150 a second.
    expect(seconds).toBeGreaterThan((CALLS - 20) / (bucket.refillPerMinute / 60) - 1);
  }, 120_000);
});
