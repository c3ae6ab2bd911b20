import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { EngineError } from '../../../src/ops/engine/index.js';
import { changes, FAULTS_TIME_SCALE, mappingOf, runToEnd, stepOf } from './support/connect-runs.js';
import { connectionOf, FAULTS, startHarness, why, type Harness } from './support/harness.js';

/** The reload request of each mapping of acme-prod, in the order given. */
const reloadsOf = (h: Harness, ...objects: string[]) => objects.map((o) => `POST /api/v3/mappings/${mappingOf(connectionOf(h.world, 'acme-prod'), o).id}/actions/reload`);

describe('reload', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => h.sim.reset());

  it('reloads the named mappings once each and waits until they are DATA_SYNCED again', async () => {
    const before = new Map(connectionOf(h.world, 'acme-prod').mappings.map((m) => [m.objectName, m.updatedAt]));
    const run = await runToEnd(h, 'reload', 'acme-prod', { mappings: 'Account, Case' });
    expect(why(run)).toBe('succeeded');
    expect(changes(h)).toEqual(reloadsOf(h, 'Account', 'Case'));
    const connection = connectionOf(h.world, 'acme-prod');
    expect(connection.mappings.map((m) => m.state)).toEqual(['DATA_SYNCED', 'DATA_SYNCED', 'DATA_SYNCED', 'DATA_SYNCED']);
    // Reloaded tables went through RELOAD_TABLE (updated since); the others were left alone.
    expect(mappingOf(connection, 'Account').updatedAt).toBeGreaterThan(before.get('Account')!);
    expect(mappingOf(connection, 'Contact').updatedAt).toBe(before.get('Contact'));
    expect(stepOf(run, /^Wait until the reload has finished/).attempts).toBeGreaterThan(1);
  });

  it('reloads a mapping whose bulk load failed (the health watcher’s fix for it), back to DATA_SYNCED', async () => {
    const caseMapping = mappingOf(connectionOf(h.world, 'acme-prod'), 'Case');
    caseMapping.state = 'BULK_LOAD_ERROR';
    const run = await runToEnd(h, 'reload', 'acme-prod', { mappings: ['Case'] });
    expect(why(run)).toBe('succeeded');
    expect(changes(h)).toEqual(reloadsOf(h, 'Case'));
    expect(mappingOf(connectionOf(h.world, 'acme-prod'), 'Case').state).toBe('DATA_SYNCED');
  });

  it.each([[{}], [{ mappings: [] }], [{ mappings: '' }]])('reloads every mapping when none is named (%j)', async (params) => {
    const run = await runToEnd(h, 'reload', 'acme-prod', params);
    expect(why(run)).toBe('succeeded');
    expect(stepOf(run, 'Reload every mapping').status).toBe('done');
    expect(changes(h)).toEqual(reloadsOf(h, 'Account', 'Contact', 'Opportunity', 'Case'));
    expect(connectionOf(h.world, 'acme-prod').mappings.every((m) => m.state === 'DATA_SYNCED')).toBe(true);
  });

  it('refuses an object that has no mapping, listing those that do', async () => {
    const run = await runToEnd(h, 'reload', 'acme-prod', { mappings: ['Account', 'Lead'] });
    expect(run.error).toMatchObject({ code: 'check_failed', stepTitle: 'Heroku Connect has mappings for Account, Lead' });
    expect(run.error?.message).toBe('No mapping configured for Lead. Mapped objects: Account, Contact, Opportunity, Case.');
    expect(changes(h)).toEqual([]);
  });

  it('refuses a paused connection: Heroku Connect reloads only while it syncs', async () => {
    const connection = connectionOf(h.world, 'acme-prod');
    connection.state = 'PAUSED';
    connection.pausedAt = h.world.clock.now();
    const run = await runToEnd(h, 'reload', 'acme-prod');
    expect(run.error).toMatchObject({ code: 'check_failed', message: 'Heroku Connect is PAUSED, not syncing.' });
    expect(run.error?.next).toContain('heroku connect:resume');
    expect(changes(h)).toEqual([]);
  });

  it('refuses an app without Heroku Connect', async () => {
    const run = await runToEnd(h, 'reload', 'initech-api');
    expect(run.error).toMatchObject({ code: 'check_failed', message: 'No connection(s) found for initech-api' });
    expect(changes(h)).toEqual([]);
  });

  it('refuses names that are not Salesforce API names', () => {
    expect(() => h.engine.plan('reload', { mappings: 'Account; DROP TABLE' }, 'acme-prod')).toThrow(EngineError);
  });

  it('waits for a mapping that is busy, then reloads it', async () => {
    // Account has just been edited: Heroku refuses a reload until it is at rest again.
    const account = mappingOf(connectionOf(h.world, 'acme-prod'), 'Account');
    account.state = 'SCHEMA_CHANGED';
    h.world.agenda.plan(`${account.id}:state`, [{ after: 2 * 3_600_000, do: () => (account.state = 'DATA_SYNCED') }]);
    const run = await runToEnd(h, 'reload', 'acme-prod', { mappings: ['Account'] });
    expect(why(run)).toBe('succeeded');
    expect(stepOf(run, 'Wait until the mappings can be reloaded (DATA_SYNCED, or a load that failed)').attempts).toBeGreaterThan(1);
    expect(changes(h)).toEqual(reloadsOf(h, 'Account'));
  });
});

describe('reload under 5xx errors, latency and a 429 burst', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ timeScale: FAULTS_TIME_SCALE });
  });
  afterAll(() => h.close());

  it('completes, reloading each mapping once', async () => {
    h.sim.setFaults(FAULTS);
    const run = await runToEnd(h, 'reload', 'acme-prod');
    expect(h.faultsServed()).toBeGreaterThan(0);
    expect(why(run)).toBe('succeeded');
    expect(changes(h)).toEqual(reloadsOf(h, 'Account', 'Contact', 'Opportunity', 'Case'));
  });
});
