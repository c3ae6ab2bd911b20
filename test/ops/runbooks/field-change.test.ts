import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { deleteSalesforceField } from '../../../src/sandbox/heroku/world/trouble.js';
import { changes, drive, FAULTS_TIME_SCALE, mappingOf, runToEnd } from './support/connect-runs.js';
import { connectionOf, FAULTS, OPERATOR, startHarness, why, type Harness } from './support/harness.js';

const FIELDS = ['Id', 'IsDeleted', 'SystemModstamp', 'Name', 'CreatedDate', 'External_ID__c'];

describe('field-change', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => h.sim.reset());

  const account = () => mappingOf(connectionOf(h.world, 'acme-prod'), 'Account');
  const saves = () => h.mutations().filter((r) => r.method === 'PUT');
  const fieldsSent = (body: unknown) => Object.keys((body as { config: { fields: Record<string, unknown> } }).config.fields);

  it('saves the mapping again, once, with its fields and current revision, and waits until it is DATA_SYNCED', async () => {
    const revision = account().revision;
    const run = await runToEnd(h, 'field-change', 'acme-prod', { object: 'Account', field: 'Name' });
    expect(why(run)).toBe('succeeded');
    expect(changes(h)).toEqual([`PUT /api/v3/mappings/${account().id}`]);
    expect(saves()[0]?.body).toMatchObject({ object_name: 'Account', revision });
    expect(fieldsSent(saves()[0]?.body).sort()).toEqual([...FIELDS].sort());
    expect(account().revision).toBe(revision + 1);
    expect(account().state).toBe('DATA_SYNCED');
  });

  it('un-sticks a mapping stopped by a field deleted in Salesforce: the save drops the field and sync resumes', async () => {
    deleteSalesforceField(h.world, h.world.apps.get('acme-prod')!, 'Account', 'External_ID__c');
    h.world.advance(account().config.sf_polling_seconds * 1000);
    expect(account().state).toBe('SCHEMA_CHANGED');
    const run = await runToEnd(h, 'field-change', 'acme-prod', { object: 'Account', field: 'External_ID__c' });
    expect(why(run)).toBe('succeeded');
    expect(changes(h)).toEqual([`PUT /api/v3/mappings/${account().id}`]);
    expect(Object.keys(account().config.fields)).not.toContain('External_ID__c');
    expect(account()).toMatchObject({ state: 'DATA_SYNCED', stoppedAt: undefined });
  });

  it('applies a type change by removing the field, saving, and adding it back', async () => {
    const run = await runToEnd(h, 'field-change', 'acme-prod', { object: 'Account', field: 'Name', typeChange: 'yes' });
    expect(why(run)).toBe('succeeded');
    expect(changes(h)).toEqual([`PUT /api/v3/mappings/${account().id}`, `PUT /api/v3/mappings/${account().id}`]);
    const [removed, added] = saves().map((r) => fieldsSent(r.body));
    expect(removed).not.toContain('Name');
    expect(added).toContain('Name');
    expect(Object.keys(account().config.fields)).toContain('Name');
    expect(account().state).toBe('DATA_SYNCED');
  });

  it('plans a type change as the article has it: remove and save, add back and save, and Heroku Connect loads the column back by itself', () => {
    const { steps, summary } = h.engine.plan('field-change', { object: 'Account', field: 'Name', typeChange: true }, 'acme-prod');
    expect(steps.slice(-4).map((s) => s.title)).toEqual([
      'Remove Name from the Account mapping and save',
      'Wait until Heroku Connect has dropped the Name column',
      'Add Name back to the Account mapping and save',
      'Wait until Heroku Connect has re-added the Name column and loaded the data back (Account DATA_SYNCED)',
    ]);
    expect(steps.flatMap((s) => s.calls).filter((c) => c.includes('/actions/reload'))).toEqual([]);
    expect(summary).toContain('remove the field and save, then add it back and save, and Heroku Connect drops the column, re-adds it and loads the data back');
  });

  it('refuses an object without a mapping', async () => {
    const run = await runToEnd(h, 'field-change', 'acme-prod', { object: 'Lead', field: 'Company' });
    expect(run.error).toMatchObject({ code: 'check_failed', message: 'No mapping configured for Lead. Mapped objects: Account, Contact, Opportunity, Case.' });
    expect(changes(h)).toEqual([]);
  });

  it('refuses a field that is not mapped', async () => {
    const run = await runToEnd(h, 'field-change', 'acme-prod', { object: 'Account', field: 'Region__c' });
    expect(run.error).toMatchObject({ code: 'check_failed', stepTitle: 'Region__c is in the Account mapping', message: 'Region__c is not in the Account mapping.' });
    expect(changes(h)).toEqual([]);
  });

  it('refuses the type change of a field Heroku Connect always maps', async () => {
    const run = await runToEnd(h, 'field-change', 'acme-prod', { object: 'Account', field: 'SystemModstamp', typeChange: true });
    expect(run.error).toMatchObject({ code: 'check_failed', message: 'SystemModstamp is always mapped and cannot be removed, so its type change cannot be applied this way.' });
    expect(changes(h)).toEqual([]);
  });
});

describe('field-change under 5xx errors, latency and a 429 burst', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ timeScale: FAULTS_TIME_SCALE });
  });
  afterAll(() => h.close());

  it('completes, saving exactly twice', async () => {
    h.sim.setFaults(FAULTS);
    const run = await runToEnd(h, 'field-change', 'acme-prod', { object: 'Contact', field: 'Name', typeChange: true });
    expect(h.faultsServed()).toBeGreaterThan(0);
    expect(why(run)).toBe('succeeded');
    const contact = mappingOf(connectionOf(h.world, 'acme-prod'), 'Contact');
    expect(changes(h)).toEqual([`PUT /api/v3/mappings/${contact.id}`, `PUT /api/v3/mappings/${contact.id}`]);
    expect(Object.keys(contact.config.fields)).toContain('Name');
  });
});

describe('field-change cancelled between removing and adding back', () => {
  // Slow enough for the cancel to land while Heroku Connect drops the column.
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ timeScale: 600 });
  });
  afterAll(() => h.close());

  it('offers to add the field back, and the rollback does', async () => {
    const started = await h.start('field-change', 'acme-prod', { object: 'Account', field: 'Name', typeChange: true });
    await h.waitForStep(started.id, 'Wait until Heroku Connect has dropped the Name column');
    const { outcome } = await h.engine.cancel({ runId: started.id, userId: OPERATOR });
    expect(['cancelled', 'cancelling']).toContain(outcome);
    const run = await h.waitFor(started.id, ['cancelled']);
    expect(run.status).toBe('cancelled');
    expect(run.rollback).toEqual({
      changed: ['Remove Name from the Account mapping and save'],
      steps: [{ title: 'Add Name back to the Account mapping', calls: expect.any(Array), undoes: 'Remove Name from the Account mapping and save' }],
      notUndoable: [],
    });
    const account = mappingOf(connectionOf(h.world, 'acme-prod'), 'Account');
    expect(Object.keys(account.config.fields)).not.toContain('Name');
    const rollback = await drive(h, (await h.engine.rollback({ runId: started.id, userId: OPERATOR })).id);
    expect(rollback.status).toBe('succeeded');
    expect(Object.keys(mappingOf(connectionOf(h.world, 'acme-prod'), 'Account').config.fields)).toContain('Name');
    expect(changes(h)).toEqual([`PUT /api/v3/mappings/${account.id}`, `PUT /api/v3/mappings/${account.id}`]);
  });
});
