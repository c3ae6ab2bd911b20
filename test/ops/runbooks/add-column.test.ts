import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { EngineError } from '../../../src/ops/engine/index.js';
import { changes, connectionsOf, drive, expectCutOver, FAULTS_TIME_SCALE, runToEnd } from './support/connect-runs.js';
import { FAULTS, OPERATOR, startHarness, why, type Harness } from './support/harness.js';

describe('add-column', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => h.sim.reset());

  it('loads the new fields through a parallel connection on a new database, then cuts over to it', async () => {
    const run = await runToEnd(h, 'add-column', 'acme-prod', { object: 'Account', fields: ['Region__c', 'Tier__c'] });
    expect(why(run)).toBe('succeeded');
    expectCutOver(h, run, { Account: ['Region__c', 'Tier__c'] });
    expect(run.downtime?.ms).toBeGreaterThan(0);
    const manual = run.steps.find((s) => s.title.startsWith('Recreate on the new database'))?.instructions ?? '';
    expect(manual).toContain(`heroku pg:psql DATABASE -a acme-prod -c "SELECT 'index'`);
    expect(manual).toContain('salesforce.account, salesforce.contact, salesforce.opportunity, salesforce.case');
    expect(manual).toContain('salesforce._trigger_log');
    expect(manual).toContain('The Heroku APIs cannot list it');
  });

  it('refuses a connection on a custom db_key: the cutover promotes to DATABASE_URL', async () => {
    const run = await runToEnd(h, 'add-column', 'globex-prod', { object: 'Account', fields: 'Region__c' });
    expect(run.error).toMatchObject({ code: 'check_failed', stepTitle: 'Heroku Connect syncs to DATABASE_URL (the cutover promotes the new database there)' });
    expect(run.error?.message).toContain('Heroku Connect syncs to HEROKU_POSTGRESQL_ONYX_URL');
    expect(changes(h)).toEqual([]);
  });

  it('refuses fields the mapping has already', async () => {
    const run = await runToEnd(h, 'add-column', 'acme-prod', { object: 'Account', fields: 'Region__c, Name' });
    expect(run.error).toMatchObject({ code: 'check_failed', message: 'Name is already in the Account mapping: nothing to add.' });
    expect(changes(h)).toEqual([]);
  });

  it('refuses an object that has no mapping', async () => {
    const run = await runToEnd(h, 'add-column', 'acme-prod', { object: 'Lead', fields: 'Region__c' });
    expect(run.error).toMatchObject({ code: 'check_failed', message: 'No mapping configured for Lead. Mapped objects: Account, Contact, Opportunity, Case.' });
    expect(changes(h)).toEqual([]);
  });

  it('refuses an object without fields', () => {
    expect(() => h.engine.plan('add-column', { object: 'Account' }, 'acme-prod')).toThrow(EngineError);
    expect(() => h.engine.plan('add-column', {}, 'acme-prod')).toThrow(/name the mapping with --object/);
  });

  it('cancelled at the cutover approval, offers to destroy the new add-on and database, and the rollback does', async () => {
    const started = await h.start('add-column', 'acme-prod', { object: 'Account', fields: ['Region__c'] });
    await drive(h, started.id, { stopAt: 'awaiting_approval' });
    await h.engine.cancel({ runId: started.id, userId: OPERATOR });
    const run = await h.waitFor(started.id, ['cancelled']);
    const created = ['Create a new database on the same plan and Postgres version', 'Create a new Heroku Connect add-on on the same plan'];
    const configured = [
      'Set the new connection to the new database and the same schema (connect:db:set)',
      'Import the old configuration into the new connection',
      'Add Region__c to the Account mapping of the new connection',
      'Reload Account on the new connection',
    ];
    expect(run.rollback).toEqual({
      changed: [...created, ...configured],
      steps: [
        { title: 'Destroy the new Heroku Connect add-on', calls: expect.any(Array), undoes: created[1] },
        { title: 'Destroy the new database', calls: expect.any(Array), undoes: created[0] },
      ],
      notUndoable: configured,
    });
    expect(connectionsOf(h.world, 'acme-prod')).toHaveLength(2);

    const rollback = await drive(h, (await h.engine.rollback({ runId: started.id, userId: OPERATOR })).id);
    expect(rollback.status).toBe('succeeded');
    const [old, ...others] = connectionsOf(h.world, 'acme-prod');
    expect(others).toEqual([]);
    expect(old).toMatchObject({ dbKey: 'DATABASE_URL', state: 'IDLE' });
    expect([...h.world.addons.values()].filter((a) => a.name.endsWith(run.id.slice(0, 8)))).toEqual([]);
    expect(changes(h).slice(-2)).toEqual([expect.stringMatching(/^DELETE \/apps\/acme-prod\/addons\/acme-prod-connect-/), expect.stringMatching(/^DELETE \/apps\/acme-prod\/addons\//)]);
  });
});

describe('add-column under 5xx errors, latency and a 429 burst', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ timeScale: FAULTS_TIME_SCALE });
  });
  afterAll(() => h.close());

  it('completes under 5xx errors, latency and a 429 burst for several mappings, sending each request once', async () => {
    h.sim.setFaults(FAULTS);
    const run = await runToEnd(h, 'add-column', 'acme-prod', { mappings: [{ object: 'Account', fields: ['Region__c'] }, { object: 'Contact', fields: 'Tier__c' }] });
    expect(h.faultsServed()).toBeGreaterThan(0);
    expect(why(run)).toBe('succeeded');
    expectCutOver(h, run, { Account: ['Region__c'], Contact: ['Tier__c'] });
  });
});
