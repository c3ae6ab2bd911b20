import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { addOnAttachedAs, connectionOf, FAULTS, intercept, lines, startHarness, type Harness } from './support/harness.js';

const HOUR = 3_600_000;
const PREPARE = /^POST \/client\/v11\/databases\/[^/]+\/upgrade\/prepare$/;
const RUN = /^POST \/client\/v11\/databases\/[^/]+\/upgrade\/run$/;
const DRY_RUN = /^POST \/client\/v11\/databases\/[^/]+\/upgrade\/dry_run$/;
const CANCEL = /^POST \/client\/v11\/databases\/[^/]+\/upgrade\/cancel$/;
const PAUSE = /^POST \/api\/v3\/connections\/[^/]+\/actions\/pause$/;
const RESUME = /^POST \/api\/v3\/connections\/[^/]+\/actions\/resume$/;
const MAINTENANCE = /^PATCH \/apps\/acme-prod$/;
const SCALE = /^PATCH \/apps\/acme-prod\/formation$/;
/** The cutover: every writer stops (maintenance mode, workers at 0), Connect pauses, the upgrade runs, and all come back. */
const CUTOVER = [MAINTENANCE, SCALE, PAUSE, RUN, RESUME, SCALE, MAINTENANCE];

describe('upgrade (pg:upgrade in place)', () => {
  // The day-long preparation is skipped by moving the simulated clock.
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => h.sim.reset());

  /** Starts an upgrade of acme-prod and lets Heroku finish preparing it. */
  async function prepared(params: Record<string, unknown> = { version: 17 }) {
    const run = await h.start('upgrade', 'acme-prod', params);
    await h.waitForStep(run.id, 'Wait until the upgrade is prepared', (s) => s.status === 'waiting' && s.progress === 'preparing upgrade service');
    h.world.advance(4 * HOUR);
    return h.waitFor(run.id, ['awaiting_approval']);
  }

  it('prepares, pauses Heroku Connect, upgrades, resumes, and waits for the mappings', async () => {
    const atApproval = await prepared();
    expect(atApproval.status).toBe('awaiting_approval');
    expect(addOnAttachedAs(h.world, 'acme-prod', 'DATABASE').database?.version).toBe(15);
    const run = await h.finish(atApproval.id);
    expect(run.status).toBe('succeeded');
    expect(addOnAttachedAs(h.world, 'acme-prod', 'DATABASE').database?.version).toBe(17);
    const connection = connectionOf(h.world, 'acme-prod');
    expect(connection.state).not.toBe('PAUSED');
    expect(connection.mappings.every((m) => m.state === 'DATA_SYNCED')).toBe(true);
    expect(lines(h.mutations())).toEqual([PREPARE, ...CUTOVER].map((p) => expect.stringMatching(p)));
    // The writes-stopped window is maintenance mode's.
    expect(run.downtime?.ms).toBeGreaterThan(0);
  });

  it('with dryRun, starts with a test upgrade (pg:upgrade:dryrun) before preparing', async () => {
    const atApproval = await prepared({ version: 17, dryRun: true });
    expect(atApproval.steps.find((s) => s.title.startsWith('Start a test upgrade'))).toMatchObject({
      title: 'Start a test upgrade to Postgres 17 on a copy (pg:upgrade:dryrun); Heroku emails its result',
      status: 'done',
    });
    expect(atApproval.outputs.dryRunStarted).toBe("Started test upgrade. We'll notify you via email when it's complete.");
    const run = await h.finish(atApproval.id);
    expect(run.status).toBe('succeeded');
    expect(lines(h.mutations())).toEqual([DRY_RUN, PREPARE, ...CUTOVER].map((p) => expect.stringMatching(p)));
  });

  it('cancelled at the approval, rolls back by cancelling the prepared upgrade', async () => {
    const atApproval = await prepared();
    const { outcome, run } = await h.engine.cancel({ runId: atApproval.id, userId: 'U_OPERATOR', reason: 'not tonight' });
    expect(outcome).toBe('cancelled');
    expect(run?.rollback).toEqual({
      changed: ['Prepare the upgrade to Postgres 17 (pg:upgrade:prepare)'],
      steps: [
        {
          title: 'Cancel the prepared upgrade (pg:upgrade:cancel)',
          calls: ['POST /client/v11/databases/{id}/upgrade/cancel', 'GET /client/v11/databases/{id}/upgrade/wait_status'],
          undoes: 'Prepare the upgrade to Postgres 17 (pg:upgrade:prepare)',
        },
      ],
      notUndoable: [],
    });
    const rollback = await h.finish((await h.engine.rollback({ runId: atApproval.id, userId: 'U_OPERATOR' })).id);
    expect(rollback.status).toBe('succeeded');
    expect(addOnAttachedAs(h.world, 'acme-prod', 'DATABASE').database?.upgrade).toBeUndefined();
    expect(lines(h.mutations())).toEqual([expect.stringMatching(PREPARE), expect.stringMatching(CANCEL)]);
  });

  it('stops before pausing when Heroku ran the prepared upgrade in the maintenance window meanwhile', async () => {
    const atApproval = await prepared();
    h.world.advance(8 * 24 * HOUR);
    await h.approve(atApproval);
    const run = await h.waitFor(atApproval.id, []);
    expect(run.error).toMatchObject({ code: 'check_failed', stepTitle: 'The prepared upgrade is still waiting to run' });
    expect(run.error?.message).toContain('The prepared upgrade is no longer waiting to run: (7/7)');
    expect(lines(h.mutations())).toEqual([expect.stringMatching(PREPARE)]);
  });

  it('fails with the reason when Heroku reports the upgrade failed, leaving Heroku Connect paused to roll back', async () => {
    const atApproval = await prepared();
    // The simulated upgrades never fail: once it runs, its status says it did. The upgrade stays at
    // its first step, or on a loaded machine it could be over before the first poll.
    const restoreStatus = intercept(h.clients.data, 'upgradeWaitStatus', (status) => async (...args) => {
      const answer = await status(...args);
      return answer.step ? { ...answer, 'error?': true } : answer;
    });
    const restorePlan = intercept(h.world.agenda, 'plan', (plan) => (key, steps) => plan(key, key.endsWith(':upgrade') ? [] : steps));
    let run;
    try {
      run = await h.finish(atApproval.id);
    } finally {
      restorePlan();
      restoreStatus();
    }
    expect(run.error).toMatchObject({ code: 'operation_failed', stepTitle: 'Wait until the upgrade has finished' });
    expect(run.error?.message).toMatch(/^The upgrade failed: \(\d\/7\) /);
    expect(run.error?.next).toContain('roll back to resume Heroku Connect');
    expect(connectionOf(h.world, 'acme-prod').state).toBe('PAUSED');
    expect(run.rollback?.steps.map((s) => s.title)).toEqual([
      'Resume Heroku Connect',
      'Scale the worker dynos back to the recorded formation',
      'Turn maintenance mode off',
      'Cancel the prepared upgrade (pg:upgrade:cancel)',
    ]);
  });

  it('refuses an Essential-tier database, pointing at pg:copy', async () => {
    const run = await h.run('upgrade', 'acme-staging', { version: 17 });
    expect(run.error).toMatchObject({ code: 'check_failed', stepTitle: 'The database is Standard tier or higher' });
    expect(run.error?.next).toContain('--via copy');
    expect(h.mutations()).toEqual([]);
  });

  it('refuses a version that is not newer', async () => {
    const run = await h.run('upgrade', 'acme-prod', { version: '15' });
    expect(run.error).toMatchObject({ code: 'check_failed', message: 'The database already runs Postgres 15; cannot upgrade to 15.' });
    expect(h.mutations()).toEqual([]);
  });

  it('refuses when an upgrade is already prepared, with the remedy', async () => {
    const { addon } = addOnAttachedAs(h.world, 'acme-prod', 'DATABASE');
    await h.clients.data.upgradePrepare(addon.id, { version: '16' });
    // Heroku takes hours to prepare; held there, so that a loaded machine cannot see it ready before the check.
    h.world.agenda.cancel(`${addon.id}:upgrade`);
    h.sim.clearRequests();
    const run = await h.run('upgrade', 'acme-prod', { version: 17 });
    expect(run.error).toMatchObject({ code: 'check_failed', stepTitle: 'No upgrade is prepared or running already' });
    expect(run.error?.message).toContain('preparing upgrade service');
    expect(run.error?.next).toContain('heroku pg:upgrade:cancel');
    expect(h.mutations()).toEqual([]);
  });

  it('completes under 5xx errors, latency and a 429 burst, sending each mutation once', async () => {
    h.sim.setFaults(FAULTS);
    const run = await h.finish((await prepared()).id);
    expect(h.faultsServed()).toBeGreaterThan(0);
    expect(run.status).toBe('succeeded');
    expect(addOnAttachedAs(h.world, 'acme-prod', 'DATABASE').database?.version).toBe(17);
    expect(lines(h.mutations())).toEqual([PREPARE, ...CUTOVER].map((p) => expect.stringMatching(p)));
  });
});
