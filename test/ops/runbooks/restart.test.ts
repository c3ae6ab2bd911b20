import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { failConnection } from '../../../src/sandbox/heroku/world/connections.js';
import { connectionOf, FAULTS, lines, startHarness, type Harness } from './support/harness.js';

const RESTART = /^POST \/api\/v3\/connections\/[^/]+\/actions\/restart$/;

describe('restart', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => h.sim.reset());

  it.each(['SYSTEM_ERROR', 'DB_UNAVAILABLE'] as const)('recovers a connection in %s through RECOVERY, once, until every mapping is synced', async (state) => {
    failConnection(h.world, connectionOf(h.world, 'acme-prod'), state);
    const run = await h.run('restart', 'acme-prod');
    expect(run.status).toBe('succeeded');
    expect(['IDLE', 'POLLING_DB_CHANGES']).toContain(connectionOf(h.world, 'acme-prod').state);
    expect(lines(h.mutations())).toEqual([expect.stringMatching(RESTART)]);
  });

  it('refuses a connection that syncs, and one whose Salesforce authorization expired, with the remedy', async () => {
    const healthy = await h.run('restart', 'acme-prod');
    expect(healthy.error).toMatchObject({ code: 'check_failed', next: 'Nothing to do.' });
    failConnection(h.world, connectionOf(h.world, 'acme-prod'), 'UNAUTHORIZED');
    const unauthorized = await h.run('restart', 'acme-prod');
    expect(unauthorized.error).toMatchObject({
      code: 'check_failed',
      message: 'Heroku Connect is UNAUTHORIZED, which a restart does not recover from.',
      next: 'Reauthorize Salesforce with `heroku connect:sf:auth`.',
    });
    expect(h.mutations()).toEqual([]);
  });

  it('completes under 5xx errors, latency and a 429 burst, restarting once', async () => {
    failConnection(h.world, connectionOf(h.world, 'acme-prod'), 'SYSTEM_ERROR');
    h.sim.setFaults(FAULTS);
    const run = await h.run('restart', 'acme-prod');
    expect(run.status).toBe('succeeded');
    expect(lines(h.mutations())).toEqual([expect.stringMatching(RESTART)]);
  });
});
