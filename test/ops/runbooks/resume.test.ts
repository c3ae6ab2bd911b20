import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { connectionOf, FAULTS, lines, startHarness, type Harness } from './support/harness.js';

const RESUME = /^POST \/api\/v3\/connections\/[^/]+\/actions\/resume$/;

/** Paused a simulated day ago: the app kept writing, and Salesforce kept changing. */
function pausedEarlier(h: Harness): void {
  const connection = connectionOf(h.world, 'acme-prod');
  connection.state = 'PAUSED';
  connection.pausedAt = h.world.clock.now() - 24 * 3_600_000;
}

describe('resume', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => h.sim.reset());

  it('resumes and waits until every mapping is DATA_SYNCED again', async () => {
    pausedEarlier(h);
    const run = await h.run('resume', 'acme-prod');
    expect(run.status).toBe('succeeded');
    const connection = connectionOf(h.world, 'acme-prod');
    expect(['IDLE', 'POLLING_DB_CHANGES']).toContain(connection.state);
    expect(connection.mappings.map((m) => m.state)).toEqual(['DATA_SYNCED', 'DATA_SYNCED', 'DATA_SYNCED', 'DATA_SYNCED']);
    expect(lines(h.mutations())).toEqual([expect.stringMatching(RESUME)]);
  });

  it('refuses a connection that is not paused', async () => {
    const run = await h.run('resume', 'acme-prod');
    expect(run.error).toMatchObject({ code: 'check_failed', stepTitle: 'Heroku Connect is PAUSED' });
    expect(run.error?.message).toMatch(/^Heroku Connect is (IDLE|POLLING_DB_CHANGES), not PAUSED: there is nothing to resume\.$/);
    expect(h.mutations()).toEqual([]);
  });

  it('completes under 5xx errors, latency and a 429 burst, resuming once', async () => {
    pausedEarlier(h);
    h.sim.setFaults(FAULTS);
    const run = await h.run('resume', 'acme-prod');
    expect(h.faultsServed()).toBeGreaterThan(0);
    expect(run.status).toBe('succeeded');
    expect(lines(h.mutations())).toEqual([expect.stringMatching(RESUME)]);
  });
});
