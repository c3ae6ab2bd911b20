import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { RUNBOOK_SHORTCUT } from '../../src/bot/app.js';
import { commandText, runbookParameters } from '../../src/bot/modal/parameters.js';
import { CHANNEL, startBotHarness, USERS, type BotHarness } from './support/harness.js';
import { pick, selected, submit, ticked, viewText } from './support/views.js';

/**
 * The runbook form: opened by `/connect` alone or the global shortcut, drawn again as the person
 * picks (live choices, the plan), submitted as the command it amounts to.
 */
describe('the runbook form', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness({
      ports: {
        postgresVersions: ['15', '16', '17'],
        appStatus: async (app) => ({
          app,
          connection: { id: 'c-1', state: 'IDLE', dbKey: 'DATABASE_URL', schemaName: 'salesforce' },
          mappings: [
            { objectName: 'Account', state: 'DATA_SYNCED', fields: ['Id', 'Name', 'Region__c'] },
            { objectName: 'Contact', state: 'DATA_SYNCED', fields: ['Id', 'LastName'] },
          ],
          databases: [{ addon: 'postgresql-curly-12345', attachments: ['DATABASE_URL'], plan: 'standard-0', version: '15', status: 'available', following: null, lagCommits: null }],
        }),
      },
    });
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    for (const run of await h.engine.listRuns({ active: true })) await h.engine.cancel({ runId: run.id, userId: USERS.operator });
    for (const user of Object.values(USERS)) {
      const open = h.workspace.modalOf(user);
      if (open) h.workspace.closeView(open.id);
    }
  });

  const formOf = (user: string) => h.workspace.waitFor(() => h.workspace.modalOf(user));

  it('derives each runbook’s parameters from its command, and writes the command back', () => {
    expect(runbookParameters('upgrade').map((p) => [p.key, p.kind, p.optional])).toEqual([
      ['version', 'version', true],
      ['dryRun', 'flag', true],
      ['via', 'choice', true],
      ['notBefore', 'time', true],
    ]);
    expect(runbookParameters('field-change').map((p) => [p.key, p.kind])).toEqual([
      ['object', 'mapping'],
      ['field', 'field'],
      ['typeChange', 'flag'],
    ]);
    expect(commandText('upgrade', 'acme-prod', { version: '17', dryRun: true, via: undefined })).toBe('upgrade acme-prod --version 17 --dry-run');
    expect(commandText('reload', 'acme-prod', { mappings: ['Account', 'Contact'] })).toBe('reload acme-prod Account Contact');
  });

  it('opens from `/connect` alone with the channel’s app, shows live choices and the plan, and starts the run with its approvals', async () => {
    expect((await h.command(USERS.operator, '')).status).toBe(200);
    const opened = await formOf(USERS.operator);
    expect(opened.view).toMatchObject({ type: 'modal', callback_id: 'runbook_modal', submit: { text: 'Start' } });
    expect(viewText(opened)).toContain('"initial_option":{"text":{"type":"plain_text","text":"acme-prod"');
    expect(viewText(opened)).toContain('Pick an app and a runbook to see its plan.');

    const withRunbook = await pick(h, USERS.operator, 'runbook', 'modal_runbook', selected('upgrade'));
    // Versions newer than Connect's database (15), read live.
    expect(viewText(withRunbook)).toMatch(/"value":"16".*"value":"17"/);
    expect(viewText(withRunbook)).not.toContain('"value":"15"');
    expect(viewText(withRunbook)).toContain('Plan preview: upgrade acme-prod');

    await pick(h, USERS.operator, 'param_version', 'modal_param_version', selected('17'));
    const form = await pick(h, USERS.operator, 'param_dryRun', 'modal_param_dryRun', ticked('yes'));
    expect(viewText(form)).toContain('*Parameters:* version `17`');

    const answer = await submit(h, USERS.operator);
    expect(answer).toEqual({ status: 200, body: '', ms: expect.any(Number), triggerId: expect.any(String), responseUrl: '' });
    const confirmation = await h.ephemeral(USERS.operator, /from the runbook form/);
    const runId = /Started `([^`]+)`/.exec(confirmation)?.[1] ?? '';
    const run = await h.runIn(runId, ['awaiting_approval']);
    expect(run).toMatchObject({ runbook: 'upgrade', app: 'acme-prod', requestedBy: USERS.operator, channel: CHANNEL, approvalsRequired: 2, params: { version: 17, dryRun: true } });
    const { card } = await h.messagesOf(runId);
    expect(card.text).toBe('Plan: upgrade acme-prod');
  });

  it('refuses a submission the grammar or the policy refuses, under the field concerned', async () => {
    await h.command(USERS.operator, '');
    await formOf(USERS.operator);
    const nothing = await submit(h, USERS.operator);
    expect(JSON.parse(nothing.body)).toEqual({ response_action: 'errors', errors: { runbook: 'Pick a runbook.' } });

    await h.driver.shortcut({ user: USERS.stranger, callbackId: RUNBOOK_SHORTCUT });
    await formOf(USERS.stranger);
    await pick(h, USERS.stranger, 'app', 'modal_app', selected('acme-prod'));
    await pick(h, USERS.stranger, 'runbook', 'modal_runbook', selected('pause'));
    const refused = await submit(h, USERS.stranger);
    expect(JSON.parse(refused.body)).toEqual({
      response_action: 'errors',
      errors: { app: 'Only the operators of acme-prod may start its runs: @U01OPERATOR, @platform-team.' },
    });
    expect(await h.runs('acme-prod')).toEqual(expect.not.arrayContaining([expect.objectContaining({ requestedBy: USERS.stranger })]));
  });

  it('opens from the global shortcut with no app picked for someone who operates several', async () => {
    expect((await h.driver.shortcut({ user: USERS.operator, callbackId: RUNBOOK_SHORTCUT })).status).toBe(200);
    const form = await formOf(USERS.operator);
    expect(viewText(form)).not.toContain('initial_option');
    expect(viewText(form)).toContain('"value":"acme-staging"');
    const calls = h.slack.callsTo('views.open');
    expect(calls.every((c) => c.response.ok === true)).toBe(true);
  });
});
