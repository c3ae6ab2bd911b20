import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { RunView } from '../../../src/ops/engine/index.js';
import { changes, connectionsOf, drive, FAULTS_TIME_SCALE, mappingOf, runToEnd, stepOf, stopWrites } from './support/connect-runs.js';
import { connectionOf, FAULTS, OPERATOR, startHarness, why, type Harness } from './support/harness.js';

const OBJECTS = ['Account', 'Contact', 'Opportunity', 'Case'];

/** The requests that rebuild the connection, each once, in this order. */
function expectRecreatedOnce(h: Harness, run: RunView, old: { connection: string; addon: string }) {
  const [connection, ...others] = connectionsOf(h.world, 'acme-prod');
  expect(others).toEqual([]);
  expect(changes(h)).toEqual([
    `POST /api/v3/connections/${old.connection}/actions/pause`,
    `DELETE /apps/acme-prod/addons/${old.addon}`,
    'POST /apps/acme-prod/addons',
    `PATCH /api/v3/connections/${connection?.id}`,
    `POST /api/v3/connections/${connection?.id}/actions/import`,
  ]);
  expect(h.world.addons.get(connection!.addonId)?.name).toBe(`acme-prod-connect-${run.id.slice(0, 8)}`);
}

describe('recreate', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => h.sim.reset());

  it('exports, destroys and recreates the add-on on the same database and schema, with the same mappings synced', async () => {
    stopWrites(h.world, 'acme-prod');
    const old = connectionOf(h.world, 'acme-prod');
    const oldAddOn = h.world.addons.get(old.addonId)!;
    const configs = new Map(old.mappings.map((m) => [m.objectName, m.config]));

    const run = await runToEnd(h, 'recreate', 'acme-prod');
    expect(why(run)).toBe('succeeded');
    expectRecreatedOnce(h, run, { connection: old.id, addon: oldAddOn.name });

    const connection = connectionOf(h.world, 'acme-prod');
    expect(connection).toMatchObject({ dbKey: 'DATABASE_URL', schemaName: 'salesforce', state: 'IDLE' });
    expect(h.world.addons.get(connection.addonId)?.plan.name).toBe(oldAddOn.plan.name);
    for (const object of OBJECTS) {
      expect(mappingOf(connection, object)).toMatchObject({ state: 'DATA_SYNCED', config: configs.get(object) });
    }
    // The export is kept with the run, and shown with its step.
    const exported = stepOf(run, /^Export the Heroku Connect configuration/).output?.configuration as { mappings: Array<{ object_name: string }> };
    expect(exported.mappings.map((m) => m.object_name)).toEqual(OBJECTS);
    expect(run.outputs.configuration).toEqual(exported);
    expect(stepOf(run, 'Authorize the new connection in Salesforce').instructions).toContain('https://login.salesforce.com/services/oauth2/authorize?');
    const byHand = stepOf(run, /^Set again by hand what the export does not carry/).instructions ?? '';
    for (const setting of ['Merged Writes', 'Application logging', 'Notifications and access', 'Beta features', 'Salesforce API version', '62.0']) expect(byHand).toContain(setting);
    // The old connection is gone before the new one logs in: one Salesforce user is no problem here.
    expect(stepOf(run, 'Authorize the new connection in Salesforce').instructions).not.toContain('10 queries');
  });

  it('refuses while the app takes writes, with the commands that stop them', async () => {
    const run = await runToEnd(h, 'recreate', 'acme-prod');
    expect(run.error).toMatchObject({
      code: 'check_failed',
      stepTitle: "The app's writes are stopped (maintenance mode on, worker dynos at 0)",
      message: 'acme-prod still takes writes: maintenance mode is off and worker=3 still run.',
      next: 'Stop writes first: `heroku maintenance:on -a acme-prod` and `heroku ps:scale worker=0 -a acme-prod`, then start again.',
    });
    expect(changes(h)).toEqual([]);
  });

  it('refuses while a mapping is not DATA_SYNCED', async () => {
    stopWrites(h.world, 'acme-prod');
    mappingOf(connectionOf(h.world, 'acme-prod'), 'Contact').state = 'RELOAD_TABLE';
    const run = await runToEnd(h, 'recreate', 'acme-prod');
    expect(run.error).toMatchObject({ code: 'check_failed', stepTitle: 'Every mapping is DATA_SYNCED' });
    expect(run.error?.message).toContain('Contact RELOAD_TABLE');
    expect(changes(h)).toEqual([]);
  });

  it('refuses while changes still wait in the trigger log', async () => {
    // Paused an hour ago while the app kept writing: those rows were never sent to Salesforce.
    const connection = connectionOf(h.world, 'acme-prod');
    connection.state = 'PAUSED';
    connection.pausedAt = h.world.clock.now() - 3_600_000;
    stopWrites(h.world, 'acme-prod');
    const run = await runToEnd(h, 'recreate', 'acme-prod');
    expect(run.error).toMatchObject({ code: 'check_failed', stepTitle: 'Heroku Connect has no changes left to write to Salesforce' });
    expect(run.error?.message).toMatch(/^Heroku Connect has changes still to write to Salesforce: Account [\d,]+ rows, Contact [\d,]+ rows\.$/);
    expect(changes(h)).toEqual([]);
  });

  it('refuses an app without Heroku Connect', async () => {
    const run = await runToEnd(h, 'recreate', 'initech-api');
    expect(run.error).toMatchObject({ code: 'check_failed', message: 'No connection(s) found for initech-api' });
  });

  it('cancelled at the approval, has changed nothing and has nothing to roll back', async () => {
    stopWrites(h.world, 'acme-prod');
    const before = connectionOf(h.world, 'acme-prod');
    const started = await h.start('recreate', 'acme-prod');
    await drive(h, started.id, { stopAt: 'awaiting_approval' });
    await h.engine.cancel({ runId: started.id, userId: OPERATOR });
    const run = await h.waitFor(started.id, ['cancelled']);
    expect(run.status).toBe('cancelled');
    expect(run.rollback).toEqual({ changed: [], steps: [], notUndoable: [] });
    expect(connectionOf(h.world, 'acme-prod')).toMatchObject({ id: before.id, state: 'IDLE' });
    expect(changes(h)).toEqual([]);
  });
});

describe('recreate under 5xx errors, latency and a 429 burst', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ timeScale: FAULTS_TIME_SCALE });
  });
  afterAll(() => h.close());

  it('completes, sending each request once', async () => {
    stopWrites(h.world, 'acme-prod');
    const old = connectionOf(h.world, 'acme-prod');
    const oldAddOn = h.world.addons.get(old.addonId)!.name;
    h.sim.setFaults(FAULTS);
    const run = await runToEnd(h, 'recreate', 'acme-prod');
    expect(h.faultsServed()).toBeGreaterThan(0);
    expect(why(run)).toBe('succeeded');
    expectRecreatedOnce(h, run, { connection: old.id, addon: oldAddOn });
  });
});
