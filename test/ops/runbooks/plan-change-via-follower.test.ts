import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { addOnAttachedAs, CHANGEOVER_TIME_SCALE, connectionOf, FAULTS, lines, startHarness, type Harness } from './support/harness.js';

const CHANGEOVER = [
  /^POST \/apps\/acme-prod\/addons$/,
  /^PATCH \/apps\/acme-prod$/,
  /^PATCH \/apps\/acme-prod\/formation$/,
  /^POST \/api\/v3\/connections\/[^/]+\/actions\/pause$/,
  /^PUT \/client\/v11\/databases\/[^/]+\/unfollow$/,
  /^POST \/addon-attachments$/,
  /^POST \/addon-attachments$/,
  /^POST \/api\/v3\/connections\/[^/]+\/actions\/resume$/,
  /^PATCH \/apps\/acme-prod\/formation$/,
  /^PATCH \/apps\/acme-prod$/,
];

describe('plan-change --via follower', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ timeScale: CHANGEOVER_TIME_SCALE });
  });
  afterAll(() => h.close());
  beforeEach(() => h.sim.reset());

  it('creates a follower on the new plan, unfollows and promotes it, on the same Postgres version', async () => {
    const run = await h.run('plan-change-via-follower', 'acme-prod', { plan: 'premium-0' });
    expect(run.status).toBe('succeeded');
    const { addon, database } = addOnAttachedAs(h.world, 'acme-prod', 'DATABASE');
    expect(addon.plan.name).toBe('heroku-postgresql:premium-0');
    expect(database).toMatchObject({ version: 15, leaderId: undefined });
    const app = h.world.apps.get('acme-prod')!;
    expect(app.maintenance).toBe(false);
    expect(app.formation.map((f) => [f.type, f.quantity])).toEqual([['web', 2], ['worker', 3], ['release', 0]]);
    expect(connectionOf(h.world, 'acme-prod').mappings.every((m) => m.state === 'DATA_SYNCED')).toBe(true);
    expect(lines(h.mutations())).toEqual(CHANGEOVER.map((p) => expect.stringMatching(p)));
    expect(h.mutations()[0]?.body).toMatchObject({ plan: 'heroku-postgresql:premium-0', config: { follow: 'DATABASE_URL' }, attachment: { name: `FOLLOWER_${run.id.slice(0, 8).toUpperCase()}` } });
  });

  it('refuses an Essential-tier plan for the follower', async () => {
    const run = await h.run('plan-change-via-follower', 'acme-prod', { plan: 'essential-2' });
    expect(run.error).toMatchObject({ code: 'check_failed', stepTitle: 'The new plan is Standard tier or higher' });
    expect(h.mutations()).toEqual([]);
  });

  it('refuses an Essential-tier database', async () => {
    const run = await h.run('plan-change-via-follower', 'acme-staging', { plan: 'standard-0' });
    expect(run.error).toMatchObject({ code: 'check_failed', stepTitle: 'The database is Standard tier or higher' });
    expect(h.mutations()).toEqual([]);
  });

  it('cancelled at the approval, rolls back by destroying the follower', async () => {
    const started = await h.start('plan-change-via-follower', 'acme-prod', { plan: 'standard-2' });
    await h.waitFor(started.id, ['awaiting_approval']);
    const { run } = await h.engine.cancel({ runId: started.id, userId: 'U_OPERATOR' });
    expect(run?.rollback?.changed).toEqual(['Create a follower of the database on standard-2']);
    expect(run?.rollback?.steps.map((s) => s.title)).toEqual(['Destroy the new database']);
    const rollback = await h.finish((await h.engine.rollback({ runId: started.id, userId: 'U_OPERATOR' })).id);
    expect(rollback.status).toBe('succeeded');
    expect([...h.world.addons.values()].some((a) => a.name.startsWith('acme-prod-follower-'))).toBe(false);
  });

  it('completes under 5xx errors, latency and a 429 burst, sending each mutation once', async () => {
    h.sim.setFaults(FAULTS);
    const run = await h.run('plan-change-via-follower', 'acme-prod', { plan: 'standard-2' });
    expect(h.faultsServed()).toBeGreaterThan(0);
    expect(run.status).toBe('succeeded');
    expect(addOnAttachedAs(h.world, 'acme-prod', 'DATABASE').addon.plan.name).toBe('heroku-postgresql:standard-2');
    expect(lines(h.mutations())).toEqual(CHANGEOVER.map((p) => expect.stringMatching(p)));
  });
});
