import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { EngineError, isFinished } from '../../../src/ops/engine/index.js';
import { changes, connectionsOf, doManualStep, drive, expectCutOver, FAULTS_TIME_SCALE, mappingOf, runToEnd, stepOf } from './support/connect-runs.js';
import { addOnAttachedAs, connectionOf, FAULTS, OPERATOR, startHarness, why, type Harness } from './support/harness.js';

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

describe('add-column follows the help article step by step', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => h.sim.reset());

  const plan = () => h.engine.plan('add-column', { object: 'Account', fields: ['Region__c'] }, 'acme-prod');

  it('cites Prep 1–13 and Cutover 1–9 by number, in the article order', () => {
    const cited = [...new Set(plan().steps.flatMap((s) => (s.cites ? [s.cites] : [])))];
    expect(cited).toEqual([
      'Prep 5',
      ...[1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13].map((n) => `Prep ${n}`),
      ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => `Cutover ${n}`),
    ]);
    expect(plan().document).toMatchObject({ url: expect.stringContaining('help.heroku.com/Y48WQM2Q') });
  });

  it('aborts the initial load by hand after the import and before the new fields, and waits until it no longer loads (Prep 7)', async () => {
    const titles = plan().steps.map((s) => s.title);
    const abort = titles.indexOf('Abort the initial load of Account in the new connection');
    expect(titles[abort - 1]).toBe('Wait until the configuration is imported');
    expect(titles[abort + 1]).toBe('Wait until Account is no longer loading in the new connection');
    expect(titles[abort + 2]).toBe('Add Region__c to the Account mapping of the new connection');

    // A table large enough to be loading still when the operator gets there.
    const org = h.world.orgs.get(connectionOf(h.world, 'acme-prod').orgId!)!;
    org.objects.set('Account', 2_000_000_000);
    const started = await h.start('add-column', 'acme-prod', { object: 'Account', fields: ['Region__c'] });
    let run = await drive(h, started.id, { stopAt: 'awaiting_manual' });
    while (!/^Abort/.test(run.steps.find((s) => s.status === 'held')?.title ?? '')) {
      if (isFinished(run.status)) throw new Error(`run ended before Prep 7: ${why(run)}`);
      const held = run.steps.find((s) => s.status === 'held')!.idx;
      await doManualStep(h, run);
      await h.waitForStep(run.id, run.steps[held]!.title, (s) => s.status === 'done');
      run = await drive(h, started.id, { stopAt: 'awaiting_manual' });
    }
    const step = run.steps.find((s) => s.status === 'held')!;
    expect(step.instructions).toContain(`heroku addons:open acme-prod-connect-${run.id.slice(0, 8).toLowerCase()} -a acme-prod`);
    expect(step.instructions).toContain('On the Mappings tab, open the menu of Account and choose Abort');
    // The new mapping is INITIAL for 30 simulated seconds (it creates its table), then RELOAD_TABLE;
    // the simulated world moves only when settled, and nothing asks it while the run is held.
    const [, added] = connectionsOf(h.world, 'acme-prod');
    for (const until = Date.now() + 5_000; mappingOf(added!, 'Account').state === 'INITIAL' && Date.now() < until; ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      h.world.agenda.settle();
    }
    expect(mappingOf(added!, 'Account').state).toBe('RELOAD_TABLE');
    // Confirmed without aborting: the run does not go on while the table loads.
    await h.engine.completeManualStep({ runId: run.id, stepIdx: step.idx, userId: OPERATOR });
    const waiting = await h.waitForStep(run.id, 'Wait until Account is no longer loading in the new connection', (s) => s.progress !== null);
    expect(stepOf(waiting, 'Wait until Account is no longer loading in the new connection').progress).toMatch(/^Still loading: Account RELOAD_TABLE \(/);
    expect(stepOf(waiting, 'Add Region__c to the Account mapping of the new connection').status).toBe('pending');
    org.objects.set('Account', 1_204_311);
    h.sim.abortMappingLoad('acme-prod', 'Account');
    const done = await drive(h, run.id);
    expect(why(done)).toBe('succeeded');
    expectCutOver(h, done, { Account: ['Region__c'] });
  });

  it('copies the data Heroku Connect does not sync during the cutover, with both connections paused, before the promote (Cutover 3)', async () => {
    const titles = plan().steps.map((s) => s.title);
    const copy = titles.indexOf('Copy the data Heroku Connect does not sync to the new database, and enable the custom triggers');
    // Right after the proof that nothing writes to the old database any more (issue 10).
    expect(titles[copy - 1]).toBe('Nothing writes to the database: every app that uses it in maintenance mode, non-web dynos at 0, no one-off dyno');
    expect(titles[copy - 2]).toBe('Wait until the new connection is PAUSED');
    expect(titles.indexOf('Wait until the old connection is PAUSED')).toBeLessThan(copy);
    expect(titles[copy + 2]).toBe('Promote the new database to DATABASE_URL (pg:promote)');

    const seen: Record<string, string> = {};
    const started = await h.start('add-column', 'acme-prod', { object: 'Account', fields: ['Region__c'] });
    const run = await drive(h, started.id, {
      onManual: (at, step) => {
        seen[step.title] = step.instructions ?? '';
        if (!step.title.startsWith('Copy the data')) return;
        // Writes stopped, both connections paused, the old database still DATABASE_URL.
        const [old, added] = connectionsOf(h.world, 'acme-prod');
        expect([old?.state, added?.state]).toEqual(['PAUSED', 'PAUSED']);
        expect(h.world.apps.get('acme-prod')?.maintenance).toBe(true);
        expect(addOnAttachedAs(h.world, 'acme-prod', 'DATABASE').addon.name).not.toContain(at.id.slice(0, 8));
      },
    });
    expect(why(run)).toBe('succeeded');
    const copyText = seen['Copy the data Heroku Connect does not sync to the new database, and enable the custom triggers'];
    expect(copyText).toContain('pg_dump --no-owner --exclude-schema=salesforce');
    expect(copyText).toContain('ENABLE TRIGGER');
    const prepText = Object.entries(seen).find(([title]) => title.startsWith('Recreate on the new database'))?.[1];
    expect(prepText).toContain("Do not copy the app's own data yet");
    expect(prepText).not.toContain('pg_dump');
  });

  it('asks for the settings the export does not carry (Prep 11), and warns of one Salesforce user for both connections (Prep 4)', async () => {
    const seen: Record<string, string> = {};
    const started = await h.start('add-column', 'acme-prod', { object: 'Account', fields: ['Region__c'] });
    const run = await drive(h, started.id, { onManual: (_, step) => void (seen[step.title] = step.instructions ?? '') });
    expect(why(run)).toBe('succeeded');
    const settings = seen['Set by hand in the new connection what the export does not carry (Merged Writes, logging, notifications)'];
    expect(settings).toContain('Merged Writes');
    expect(settings).toContain('Application logging: the old connection had it on');
    expect(settings).toContain('Notifications and access');
    expect(seen['Authorize the new connection in Salesforce']).toContain('"Attempted to open more than 10 queries to SFDC"');
  });
});
