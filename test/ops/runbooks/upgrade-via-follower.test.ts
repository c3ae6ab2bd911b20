import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { stepOf } from './support/connect-runs.js';
import { addOnAttachedAs, CHANGEOVER_TIME_SCALE, connectionOf, FAULTS, lines, startHarness, type Harness } from './support/harness.js';

const CHANGEOVER = [
  /^POST \/apps\/acme-prod\/addons$/, // the follower
  /^PATCH \/apps\/acme-prod$/, // maintenance on
  /^PATCH \/apps\/acme-prod\/formation$/, // workers to 0
  /^POST \/api\/v3\/connections\/[^/]+\/actions\/pause$/,
  /^POST \/client\/v11\/databases\/[^/]+\/upgrade\/run$/,
  /^POST \/addon-attachments$/, // the old database keeps a name of its own
  /^POST \/addon-attachments$/, // promote
  /^POST \/api\/v3\/connections\/[^/]+\/actions\/resume$/,
  /^PATCH \/apps\/acme-prod\/formation$/, // workers back
  /^PATCH \/apps\/acme-prod$/, // maintenance off
];

describe('upgrade --via follower', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ timeScale: CHANGEOVER_TIME_SCALE });
  });
  afterAll(() => h.close());
  beforeEach(() => h.sim.reset());

  it('upgrades a follower and promotes it when Heroku Connect uses DATABASE_URL', async () => {
    const old = addOnAttachedAs(h.world, 'acme-prod', 'DATABASE').addon;
    const run = await h.run('upgrade-via-follower', 'acme-prod', { version: 17 });
    expect(run.status).toBe('succeeded');

    const promoted = addOnAttachedAs(h.world, 'acme-prod', 'DATABASE');
    expect(promoted.addon.name).toBe(`acme-prod-follower-${run.id.slice(0, 8)}`);
    expect(promoted.database).toMatchObject({ version: 17, leaderId: undefined });
    // The old database stays reachable under a name of its own, the run's.
    const oldNames = [...h.world.attachments.values()].filter((a) => a.addonId === old.id).map((a) => a.name);
    expect(oldNames).toEqual([`OLD_DATABASE_${run.id.replace(/[^a-zA-Z0-9]/g, '').slice(0, 8).toUpperCase()}`]);

    const app = h.world.apps.get('acme-prod')!;
    expect(app.maintenance).toBe(false);
    expect(app.formation.map((f) => [f.type, f.quantity])).toEqual([['web', 2], ['worker', 3], ['release', 0]]);
    const connection = connectionOf(h.world, 'acme-prod');
    expect(connection).toMatchObject({ dbKey: 'DATABASE_URL', state: expect.stringMatching(/^(IDLE|POLLING_DB_CHANGES)$/) });
    expect(connection.mappings.every((m) => m.state === 'DATA_SYNCED')).toBe(true);

    expect(lines(h.mutations())).toEqual(CHANGEOVER.map((p) => expect.stringMatching(p)));
    expect(run.outputs).toMatchObject({ cutover: { via: 'promote', dbKey: 'DATABASE_URL' }, formation: [{ type: 'worker', quantity: 3 }] });
    expect(run.downtime?.ms).toBeGreaterThan(0);
    // The branch not taken is skipped, with its reason, never done.
    expect(stepOf(run, 'Promote the new database to DATABASE_URL (pg:promote)').status).toBe('done');
    expect(stepOf(run, "Point Heroku Connect's db_key at the new database (connect:db:set)")).toMatchObject({
      status: 'skipped',
      skipReason: 'Heroku Connect uses DATABASE_URL: the promote moved it to the new database.',
    });
  });

  it("moves Heroku Connect's custom db_key to the upgraded follower by attaching it under the same name (the article's addons:attach way)", async () => {
    const database = addOnAttachedAs(h.world, 'globex-prod', 'DATABASE').addon;
    const onyx = addOnAttachedAs(h.world, 'globex-prod', 'HEROKU_POSTGRESQL_ONYX').addon;
    const run = await h.run('upgrade-via-follower', 'globex-prod', { version: 16 });
    expect(run.status).toBe('succeeded');
    const follower = `FOLLOWER_${run.id.slice(0, 8).toUpperCase()}`;
    expect(run.outputs.cutover).toEqual({ via: 'db_key', dbKey: 'HEROKU_POSTGRESQL_ONYX_URL', newDbKey: 'HEROKU_POSTGRESQL_ONYX_URL' });
    // Connect keeps its db_key, which now names the upgraded follower: the app reading ONYX moved with it.
    expect(connectionOf(h.world, 'globex-prod').dbKey).toBe('HEROKU_POSTGRESQL_ONYX_URL');
    const moved = addOnAttachedAs(h.world, 'globex-prod', 'HEROKU_POSTGRESQL_ONYX');
    expect(moved.addon.id).toBe(addOnAttachedAs(h.world, 'globex-prod', follower).addon.id);
    expect(moved.database).toMatchObject({ version: 16, leaderId: undefined });
    // DATABASE was another database: nothing was promoted. The old ONYX database keeps the run's name only.
    expect(addOnAttachedAs(h.world, 'globex-prod', 'DATABASE').addon.id).toBe(database.id);
    expect([...h.world.attachments.values()].filter((a) => a.addonId === onyx.id).map((a) => a.name)).toEqual([expect.stringMatching(/^OLD_DATABASE_[A-Z0-9]{8}$/)]);
    const mutations = lines(h.mutations());
    expect(mutations.filter((m) => m.startsWith('POST /addon-attachments'))).toHaveLength(2);
    expect(mutations.filter((m) => /^PATCH \/api\/v3\/connections\/[^/]+$/.test(m))).toEqual([]);
    expect(stepOf(run, "Point Heroku Connect's db_key at the new database (connect:db:set)")).toMatchObject({
      status: 'skipped',
      skipReason: expect.stringContaining('Heroku Connect uses HEROKU_POSTGRESQL_ONYX_URL, which now names the new database'),
    });
    expect(stepOf(run, 'Promote the new database to DATABASE_URL (pg:promote)')).toMatchObject({
      status: 'skipped',
      skipReason: "The old database is not the app's DATABASE_URL (Heroku Connect uses HEROKU_POSTGRESQL_ONYX_URL): nothing to promote; its names move to the new database.",
    });
    const audit = await h.engine.auditTrail(run.id);
    // Skipped besides: the other apps' and the Scheduler's steps (globex-prod is alone on its database and has no Scheduler).
    const cutoverSkips = audit.filter((e) => e.type === 'step.skipped' && !/attached to globex-prod only|Heroku Scheduler/.test(String(e.detail.reason)));
    expect(cutoverSkips).toHaveLength(2);
  });

  it('plans both branches of the cutover, each with its condition', () => {
    const steps = h.engine.plan('upgrade-via-follower', { version: 17 }, 'acme-prod').steps;
    const when = (title: string) => steps.find((s) => s.title === title)?.when;
    expect(when('Promote the new database to DATABASE_URL (pg:promote)')).toBe("the old database is the app's DATABASE_URL");
    expect(when("Point Heroku Connect's db_key at the new database (connect:db:set)")).toBe("Heroku Connect's db_key is not a name of the old database that moves");
    expect(when('Pause Heroku Connect')).toBeUndefined();
  });

  it('cancelled at the approval, rolls back by destroying the follower', async () => {
    const started = await h.start('upgrade-via-follower', 'acme-prod', { version: 17 });
    const atApproval = await h.waitFor(started.id, ['awaiting_approval']);
    const { run } = await h.engine.cancel({ runId: atApproval.id, userId: 'U_OPERATOR' });
    expect(run?.rollback).toEqual({
      changed: ['Create a follower of the database on the same plan'],
      steps: [{ title: 'Destroy the new database', calls: expect.arrayContaining(['GET /apps/{app}/addon-attachments', 'DELETE /apps/{app}/addons/{addon}']), undoes: 'Create a follower of the database on the same plan' }],
      notUndoable: [],
    });
    const rollback = await h.finish((await h.engine.rollback({ runId: started.id, userId: 'U_OPERATOR' })).id);
    expect(rollback.status).toBe('succeeded');
    expect([...h.world.addons.values()].filter((a) => a.name.startsWith('acme-prod-follower-'))).toEqual([]);
    expect(lines(h.mutations())).toEqual([expect.stringMatching(/^POST \/apps\/acme-prod\/addons$/), expect.stringMatching(/^DELETE \/apps\/acme-prod\/addons\/[^/]+$/)]);
  });

  it('refuses an Essential-tier database', async () => {
    const run = await h.run('upgrade-via-follower', 'acme-staging');
    expect(run.error).toMatchObject({ code: 'check_failed', stepTitle: 'The database is Standard tier or higher' });
    expect(run.error?.next).toContain('--via copy');
    expect(h.mutations()).toEqual([]);
  });

  it('refuses a database that cannot get a follower now', async () => {
    const { database } = addOnAttachedAs(h.world, 'acme-prod', 'DATABASE');
    // Forked recently: the cooldown outlasts the test, however fast the simulated clock runs.
    database!.forkedAt = h.world.clock.now() + 24 * 3_600_000;
    const run = await h.run('upgrade-via-follower', 'acme-prod');
    expect(run.error).toMatchObject({ code: 'check_failed', message: expect.stringContaining('Fork/Follow: Temporarily Unavailable') });
    expect(h.mutations()).toEqual([]);
  });

  it('completes under 5xx errors, latency and a 429 burst, sending each mutation once', async () => {
    h.sim.setFaults(FAULTS);
    const run = await h.run('upgrade-via-follower', 'acme-prod', { version: 17 });
    expect(h.faultsServed()).toBeGreaterThan(0);
    expect(run.status).toBe('succeeded');
    expect(addOnAttachedAs(h.world, 'acme-prod', 'DATABASE').database?.version).toBe(17);
    expect(lines(h.mutations())).toEqual(CHANGEOVER.map((p) => expect.stringMatching(p)));
  });
});
