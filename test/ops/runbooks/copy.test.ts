import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { RunView } from '../../../src/ops/engine/index.js';
import { cancelTransfer } from '../../../src/sandbox/heroku/world/transfers.js';
import { drive } from './support/connect-runs.js';
import { CRASH_TIMEOUT, crashAtEveryTransition, crashMidEveryMutation, transitionsOf } from './support/crash.js';
import { addOnAttachedAs, connectionOf, FAULTS, intercept, lines, startHarness, why, type Harness } from './support/harness.js';

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

/** acme-staging after `plan-change --via copy` to standard-0: the copy promoted, everything back up, each mutation sent once. */
function expectCopied(h: Harness, run: RunView, old: ReturnType<typeof addOnAttachedAs>) {
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
}

describe('copy (plan-change --via copy)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => h.sim.reset());

  it('moves an Essential-tier database to a higher tier with pg:copy and promotes the copy', async () => {
    const old = addOnAttachedAs(h.world, 'acme-staging', 'DATABASE');
    const run = await h.run('copy', 'acme-staging', { plan: 'standard-0' });
    expect(run.status).toBe('succeeded');
    expectCopied(h, run, old);
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

  it('fails with the reason when pg:copy fails, and rolls back onto the old database', async () => {
    // Heroku ends the transfer unsuccessfully as it starts: in the simulator, before any simulated time
    // passes, since at this time scale a loaded machine lets the copy finish before the answer arrives.
    const restore = intercept(h.world.agenda, 'plan', (plan) => (key, steps) => {
      plan(key, steps);
      if (key.endsWith(':copy')) cancelTransfer(h.world, h.world.transfers.get(key.slice(0, -':copy'.length))!);
    });
    const old = addOnAttachedAs(h.world, 'acme-staging', 'DATABASE').addon;
    let run;
    try {
      run = await h.run('copy', 'acme-staging', { plan: 'standard-0' });
    } finally {
      restore();
    }
    expect(run.error).toMatchObject({ code: 'operation_failed', stepTitle: 'Wait until the copy has finished' });
    expect(run.error?.message).toBe(`pg:copy failed: Copying ${old.name} to acme-staging-db-${run.id.slice(0, 8)}; Transfer canceled by user`);
    expect(run.error?.next).toContain('roll back');
    const rollback = await h.finish((await h.engine.rollback({ runId: run.id, userId: 'U_OPERATOR' })).id);
    expect(rollback.status).toBe('succeeded');
    const app = h.world.apps.get('acme-staging')!;
    expect(app.maintenance).toBe(false);
    expect(app.formation.map((f) => [f.type, f.quantity])).toEqual([['web', 1], ['worker', 1]]);
    expect(connectionOf(h.world, 'acme-staging').state).not.toBe('PAUSED');
    expect(addOnAttachedAs(h.world, 'acme-staging', 'DATABASE').addon.id).toBe(old.id);
    expect([...h.world.addons.values()].some((a) => a.name.startsWith('acme-staging-db-'))).toBe(false);
  });

  it('fails with the reason when Heroku cannot create the new database', async () => {
    const restore = intercept(h.clients.platform, 'createAddOn', (create) => async (...args) => {
      const addOn = await create(...args);
      const created = h.world.addons.get(addOn.id)!;
      h.world.agenda.forget(created.id);
      created.state = 'deprovisioned';
      return addOn;
    });
    let run;
    try {
      run = await h.run('copy', 'acme-staging', { plan: 'standard-0' });
    } finally {
      restore();
    }
    expect(run.error).toMatchObject({ code: 'operation_failed', stepTitle: 'Wait until the new database is available' });
    expect(run.error?.message).toMatch(/^The add-on acme-staging-db-\w+ was unable to be created, with status deprovisioned\.$/);
    expect(run.error?.next).toContain('heroku addons -a acme-staging');
    expect(lines(h.mutations())).toEqual([expect.stringMatching(COPY[0]!)]);
  });

  it('refuses to destroy the new database in a rollback once it is DATABASE_URL', async () => {
    const run = await h.run('copy', 'acme-staging', { plan: 'standard-0' });
    expect(run.status).toBe('succeeded');
    const rollback = await h.finish((await h.engine.rollback({ runId: run.id, userId: 'U_OPERATOR' })).id);
    expect(rollback.error).toMatchObject({ code: 'operation_failed', stepTitle: 'Destroy the new database' });
    expect(rollback.error?.message).toBe(`acme-staging-db-${run.id.slice(0, 8)} is in use (DATABASE_URL): not destroying it.`);
    expect(rollback.error?.next).toContain('heroku pg:promote');
    expect(addOnAttachedAs(h.world, 'acme-staging', 'DATABASE').addon.name).toBe(`acme-staging-db-${run.id.slice(0, 8)}`);
  });

  it('completes under 5xx errors, latency and a 429 burst, sending each mutation once', async () => {
    h.sim.setFaults(FAULTS);
    const run = await h.run('copy', 'acme-staging', { plan: 'standard-0' });
    expect(h.faultsServed()).toBeGreaterThan(0);
    expect(run.status).toBe('succeeded');
    expect(lines(h.mutations())).toEqual(COPY.map((p) => expect.stringMatching(p)));
  });
});

/**
 * `plan-change --via copy` killed at every step boundary, and in the middle of every mutation, then
 * resumed on the same store by a new engine: every mutation, the pg:copy transfer included, is sent once.
 */
describe('copy under crashes', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  // One engine restart per transition: the writers' steps of issue 10 made these runs longer than jest's 30 s.
  it('resumes after a crash at every step boundary and sends each mutation once', async () => {
    const { crash, crashedAt } = crashAtEveryTransition();
    h = await startHarness({ engine: { onTransition: crash.onTransition } });
    const old = addOnAttachedAs(h.world, 'acme-staging', 'DATABASE');
    const run = await drive(h, (await h.start('copy', 'acme-staging', { plan: 'standard-0' })).id, { crash });
    expect(why(run)).toBe('succeeded');
    expect([...crashedAt].sort()).toEqual(transitionsOf(run).sort());
    expectCopied(h, run, old);
  }, CRASH_TIMEOUT);

  it('resumes after a crash in the middle of every mutation and sends each one, the transfer too, once', async () => {
    h = await startHarness();
    const mid = crashMidEveryMutation(h);
    const old = addOnAttachedAs(h.world, 'acme-staging', 'DATABASE');
    const run = await drive(h, (await h.start('copy', 'acme-staging', { plan: 'standard-0' })).id, { crash: mid.crash });
    expect(why(run)).toBe('succeeded');
    expect(mid.crashed).toEqual([
      'platform.createAddOn',
      'platform.setMaintenance',
      'platform.updateFormation',
      'connect.pause',
      'data.createTransfer',
      'platform.createAttachment',
      'platform.createAttachment',
      'connect.resume',
      'platform.updateFormation',
      'platform.setMaintenance',
    ]);
    expect(mid.crash.count).toBe(COPY.length);
    // The transfer whose answer was lost is the one the run followed: one transfer, recorded by its uuid.
    const transfers = [...h.world.transfers.values()];
    expect(transfers).toHaveLength(1);
    expect(run.outputs.transfer).toBe(transfers[0]?.uuid);
    expectCopied(h, run, old);
  });
});
