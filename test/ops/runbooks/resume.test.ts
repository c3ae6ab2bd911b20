import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { connectionOf, FAULTS, intercept, lines, startHarness, type Harness } from './support/harness.js';

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

  it('advises bringing the connection back, not checking mappings, when it times out on a connection in DB_UNAVAILABLE', async () => {
    pausedEarlier(h);
    // Heroku Connect loses its database right after the resume; the mappings themselves are all DATA_SYNCED.
    const restore = intercept(h.clients.connect, 'resume', (resume) => async (...args) => {
      await resume(...args);
      const connection = connectionOf(h.world, 'acme-prod');
      h.world.agenda.cancel(`${connection.id}:state`);
      connection.state = 'DB_UNAVAILABLE';
      for (const mapping of connection.mappings) {
        h.world.agenda.cancel(`${mapping.id}:state`);
        mapping.state = 'DATA_SYNCED';
      }
    });
    let run;
    try {
      run = await h.run('resume', 'acme-prod');
    } finally {
      restore();
    }
    expect(run.error).toMatchObject({ code: 'wait_timeout', stepTitle: 'Wait until every mapping is DATA_SYNCED' });
    expect(run.error?.message).toContain('last seen: Heroku Connect is DB_UNAVAILABLE; 4 of 4 mappings DATA_SYNCED');
    expect(run.error?.next).toContain('heroku connect:recover');
    expect(run.error?.next).not.toContain('connect:info');
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
