import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { RunView } from '../../../src/ops/engine/index.js';
import type { Consumers } from '../../../src/ops/runbooks/outputs.js';
import { CONSUMERS_UNCHANGED as UNCHANGED } from '../../../src/ops/runbooks/reads/consumers.js';
import { NO_WRITER_NOW } from '../../../src/ops/runbooks/reads/writers.js';
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
      stepTitle: NO_WRITER_NOW,
      message: 'Something still writes to the database: acme-prod is not in maintenance mode; acme-prod runs worker=3.',
      next: 'Stop writes first: `heroku maintenance:on -a acme-prod`, `heroku ps:scale worker=0 -a acme-prod` (a Scheduler job: disable it in the Scheduler dashboard), then start again.',
    });
    expect(changes(h)).toEqual([]);
  });

  describe('on a database other apps use (hooli-prod: the pool, a color name as db_key, hooli-reports, Heroku Scheduler)', () => {
    const hooliApps = ['hooli-prod', 'hooli-reports'];
    const schedulerJobs = () => h.world.apps.get('hooli-prod')?.schedulerJobs ?? [];

    it('refuses while the other app writes, naming it, before any change', async () => {
      stopWrites(h.world, 'hooli-prod');
      for (const job of schedulerJobs()) job.enabled = false;
      const run = await runToEnd(h, 'recreate', 'hooli-prod');
      expect(run.error).toMatchObject({ code: 'check_failed', stepTitle: NO_WRITER_NOW, message: expect.stringContaining('hooli-reports is not in maintenance mode; hooli-reports runs worker=1') });
      expect(run.error?.next).toContain('`heroku maintenance:on -a hooli-reports`');
      expect((run.outputs.consumers as Consumers).attachments.map((a) => `${a.app} ${a.name}`)).toEqual([
        'hooli-prod DATABASE',
        'hooli-prod DATABASE_CONNECTION_POOL',
        'hooli-prod HEROKU_POSTGRESQL_CHARCOAL',
        'hooli-reports HOOLI_DB',
      ]);
      expect(changes(h)).toEqual([]);
    });

    it('with every app stopped: the Scheduler off by hand during the recreate, no other app changed, the same db_key synced', async () => {
      for (const app of hooliApps) stopWrites(h.world, app);
      for (const job of schedulerJobs()) job.enabled = false;
      const before = connectionOf(h.world, 'hooli-prod');
      const run = await runToEnd(h, 'recreate', 'hooli-prod');
      expect(why(run)).toBe('succeeded');
      const connection = connectionOf(h.world, 'hooli-prod');
      expect(connection.id).not.toBe(before.id);
      expect(connection).toMatchObject({ dbKey: 'HEROKU_POSTGRESQL_CHARCOAL_URL', state: 'IDLE' });
      expect(connection.mappings.every((m) => m.state === 'DATA_SYNCED')).toBe(true);
      expect(stepOf(run, 'Disable the jobs in the Heroku Scheduler dashboard').status).toBe('done');
      expect(stepOf(run, 'Enable the jobs again in the Heroku Scheduler dashboard').status).toBe('done');
      expect(stepOf(run, UNCHANGED).status).toBe('done');
      expect(schedulerJobs().every((j) => j.enabled)).toBe(true);
      // Only the connection is rebuilt: no name moves, no app is put in or out of maintenance.
      expect(changes(h).filter((c) => /addon-attachments|^PATCH \/apps\/|formation/.test(c))).toEqual([]);
      for (const app of hooliApps) expect(h.world.apps.get(app)?.maintenance).toBe(true);
    });
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
