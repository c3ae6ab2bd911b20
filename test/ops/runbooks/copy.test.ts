import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { addOnAttachedAs, connectionOf, FAULTS, lines, startHarness, type Harness } from './support/harness.js';

const COPY = [
  /^POST \/apps\/acme-staging\/addons$/, // the new database
  /^PATCH \/apps\/acme-staging$/, // maintenance on
  /^PATCH \/apps\/acme-staging\/formation$/, // workers to 0
  /^POST \/api\/v3\/connections\/[^/]+\/actions\/pause$/,
  /^POST \/client\/v11\/databases\/[^/]+\/transfers$/, // pg:copy
  /^POST \/addon-attachments$/, // the old database keeps a name of its own
  /^POST \/addon-attachments$/, // promote
  /^POST \/api\/v3\/connections\/[^/]+\/actions\/resume$/,
  /^PATCH \/apps\/acme-staging\/formation$/, // workers back
  /^PATCH \/apps\/acme-staging$/, // maintenance off
];

describe('copy (plan-change --via copy)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => h.sim.reset());

  it('moves an Essential-tier database to a higher tier with pg:copy and promotes the copy', async () => {
    const old = addOnAttachedAs(h.world, 'acme-staging', 'DATABASE');
    const run = await h.run('plan-change', 'acme-staging', { plan: 'standard-0', via: 'copy' });
    expect(run.status).toBe('succeeded');
    const copy = addOnAttachedAs(h.world, 'acme-staging', 'DATABASE');
    expect(copy.addon.name).toBe(`acme-staging-db-${run.id.slice(0, 8)}`);
    expect(copy.addon.plan.name).toBe('heroku-postgresql:standard-0');
    // The copy holds the old database's data, on its Postgres version.
    expect(copy.database).toMatchObject({ version: 16, numBytes: old.database?.numBytes, numTables: old.database?.numTables });
    const app = h.world.apps.get('acme-staging')!;
    expect(app.maintenance).toBe(false);
    expect(app.formation.map((f) => [f.type, f.quantity])).toEqual([['web', 1], ['worker', 1]]);
    expect(connectionOf(h.world, 'acme-staging').mappings.every((m) => m.state === 'DATA_SYNCED')).toBe(true);
    expect(lines(h.mutations())).toEqual(COPY.map((p) => expect.stringMatching(p)));
    expect(h.mutations()[4]?.body).toMatchObject({ from_name: 'DATABASE_URL', to_name: `NEW_DATABASE_${run.id.slice(0, 8).toUpperCase()}_URL` });
  });

  it('upgrades an Essential-tier database onto a new one with --version', async () => {
    const run = await h.run('copy', 'acme-staging', { version: 17 });
    expect(run.status).toBe('succeeded');
    const copy = addOnAttachedAs(h.world, 'acme-staging', 'DATABASE');
    expect(copy.addon.plan.name).toBe('heroku-postgresql:essential-1');
    expect(copy.database?.version).toBe(17);
    expect(h.mutations()[0]?.body).toMatchObject({ plan: 'heroku-postgresql:essential-1', config: { version: '17' } });
  });

  it('refuses an older version, and parameters that change nothing', async () => {
    const run = await h.run('copy', 'acme-staging', { version: 15 });
    expect(run.error).toMatchObject({ code: 'check_failed', message: 'The database runs Postgres 16; a copy cannot go back to 15.' });
    expect(h.mutations()).toEqual([]);
    await expect(h.start('copy', 'acme-staging', {})).rejects.toMatchObject({ code: 'invalid_params' });
  });

  it('cancelled at the approval, rolls back by destroying the new database', async () => {
    const started = await h.start('copy', 'acme-staging', { plan: 'standard-0' });
    await h.waitFor(started.id, ['awaiting_approval']);
    const { run } = await h.engine.cancel({ runId: started.id, userId: 'U_OPERATOR' });
    expect(run?.rollback).toMatchObject({ changed: ['Create the new database (standard-0)'], notUndoable: [] });
    expect(run?.rollback?.steps.map((s) => s.title)).toEqual(['Destroy the new database']);
    const rollback = await h.finish((await h.engine.rollback({ runId: started.id, userId: 'U_OPERATOR' })).id);
    expect(rollback.status).toBe('succeeded');
    expect([...h.world.addons.values()].some((a) => a.name.startsWith('acme-staging-db-'))).toBe(false);
    expect(addOnAttachedAs(h.world, 'acme-staging', 'DATABASE').addon.plan.name).toBe('heroku-postgresql:essential-1');
  });

  it('completes under 5xx errors, latency and a 429 burst, sending each mutation once', async () => {
    h.sim.setFaults(FAULTS);
    const run = await h.run('copy', 'acme-staging', { plan: 'standard-0' });
    expect(h.faultsServed()).toBeGreaterThan(0);
    expect(run.status).toBe('succeeded');
    expect(lines(h.mutations())).toEqual(COPY.map((p) => expect.stringMatching(p)));
  });
});
