import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { EngineError } from '../../../src/ops/engine/index.js';
import { addOnAttachedAs, connectionOf, FAULTS, lines, startHarness, type Harness } from './support/harness.js';

const CHANGE_PLAN = /^PATCH \/apps\/acme-prod\/addons\/[^/]+$/;

describe('plan-change (in place)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => h.sim.reset());

  it('changes the plan, waits until the database is available, and checks Heroku Connect after it', async () => {
    const run = await h.run('plan-change', 'acme-prod', { plan: 'heroku-postgresql:standard-2' });
    expect(run.status).toBe('succeeded');
    const { addon, database } = addOnAttachedAs(h.world, 'acme-prod', 'DATABASE');
    expect(addon.plan.name).toBe('heroku-postgresql:standard-2');
    expect(database?.planChange).toBeUndefined();
    expect(connectionOf(h.world, 'acme-prod').mappings.every((m) => m.state === 'DATA_SYNCED')).toBe(true);
    expect(lines(h.mutations())).toEqual([expect.stringMatching(CHANGE_PLAN)]);
    expect(h.mutations()[0]?.body).toEqual({ plan: 'heroku-postgresql:standard-2' });
    const waited = run.steps.find((s) => s.title === 'Wait until the database is available on its new plan');
    expect(waited?.attempts).toBeGreaterThan(1);
  });

  it('refuses Essential to a higher tier, pointing at pg:copy', async () => {
    const run = await h.run('plan-change', 'acme-staging', { plan: 'standard-0' });
    expect(run.error).toMatchObject({
      code: 'check_failed',
      message: 'essential-1 cannot change to standard-0 in place: Essential-tier databases move to and from the higher tiers with pg:copy.',
      next: 'Move it with pg:copy instead: `/connect plan-change acme-staging standard-0 --via copy`.',
    });
    expect(h.mutations()).toEqual([]);
  });

  it('refuses the plan the database is on already', async () => {
    const run = await h.run('plan-change', 'acme-prod', { plan: 'standard-0' });
    expect(run.error).toMatchObject({ code: 'check_failed', stepTitle: 'The database is not on that plan already' });
    expect(h.mutations()).toEqual([]);
  });

  it('refuses a plan name that is not one', async () => {
    await expect(h.start('plan-change', 'acme-prod', { plan: 'standard 2!' })).rejects.toThrow(EngineError);
    await expect(h.start('plan-change', 'acme-prod', { plan: 'standard-2', via: 'fork' })).rejects.toMatchObject({ code: 'invalid_params' });
  });

  it('cancelled at the approval, has changed nothing', async () => {
    const started = await h.start('plan-change', 'acme-prod', { plan: 'standard-2' });
    await h.waitFor(started.id, ['awaiting_approval']);
    const { run } = await h.engine.cancel({ runId: started.id, userId: 'U_OPERATOR' });
    expect(run?.status).toBe('cancelled');
    expect(run?.rollback).toEqual({ changed: [], steps: [], notUndoable: [] });
    await expect(h.engine.rollback({ runId: started.id, userId: 'U_OPERATOR' })).rejects.toMatchObject({ code: 'nothing_to_roll_back' });
    expect(h.mutations()).toEqual([]);
  });

  it('does not pause Heroku Connect: it rides addons:upgrade like an HA failover', () => {
    const { steps, expectedDowntime } = h.engine.plan('plan-change', { plan: 'standard-2' }, 'acme-prod');
    expect(steps.flatMap((s) => s.calls).filter((c) => /actions\/(pause|resume)/.test(c))).toEqual([]);
    expect(expectedDowntime).toBeNull();
    expect(h.engine.plan('plan-change', { plan: 'standard-2' }, 'acme-prod').summary).toContain('like an HA failover (it is not paused)');
  });

  it('completes under 5xx errors, latency and a 429 burst, changing the plan once', async () => {
    h.sim.setFaults(FAULTS);
    const run = await h.run('plan-change', 'acme-prod', { plan: 'standard-2' });
    expect(h.faultsServed()).toBeGreaterThan(0);
    expect(run.status).toBe('succeeded');
    expect(lines(h.mutations())).toEqual([expect.stringMatching(CHANGE_PLAN)]);
  });
});
