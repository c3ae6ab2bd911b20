import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ACTIONS } from '../../src/bot/actions/button-values.js';
import { OPEN_MODAL_ACTION } from '../../src/bot/views/home.js';
import { buttonsOf, viewJson } from '../../src/sandbox/slack/index.js';
import type { DatabaseVersion, Incident } from '../../src/status/health/index.js';
import { startBotHarness, startedRunId, USERS, type BotHarness } from './support/harness.js';
import { redrawn, viewText } from './support/views.js';

const INCIDENT: Incident = {
  id: 'i-1',
  app: 'acme-prod',
  kind: 'mapping_schema_changed',
  subject: 'Account',
  title: 'The Account mapping stopped syncing (SCHEMA_CHANGED)',
  details: ['Salesforce no longer has Region__c, which the mapping still maps.'],
  advice: 'Save the mapping again.',
  fix: { runbook: 'pause', params: { app: 'acme-prod' }, label: 'Plan pause' },
  status: 'open',
  firstSeenAt: '2026-12-04T10:00:00.000Z',
  openedAt: '2026-12-04T10:30:00.000Z',
  resolvedAt: null,
};

const VERSION: DatabaseVersion = {
  app: 'acme-prod',
  addonId: 'a-1',
  addonName: 'postgresql-curly-12345',
  plan: 'standard-0',
  attachments: ['DATABASE'],
  connectDatabase: true,
  version: '15.12',
  major: '15',
  herokuWarning: null,
  deprecated: true,
  forcedUpgradesFrom: '2026-06-01',
  basis: 'end of life Q3 2026',
  approximate: true,
  endOfLifeStated: 'Q3 2026',
  sources: ['https://devcenter.heroku.com/articles/heroku-postgres-version-support (last updated October 29, 2024)'],
  fix: { runbook: 'upgrade', params: { app: 'acme-prod', version: 17, dryRun: true }, label: 'Plan upgrade to 17' },
  checkedAt: '2026-12-04T10:00:00.000Z',
};

describe('App Home', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness({
      ports: {
        health: { openIncidents: async (apps) => (apps.includes('acme-prod') ? [INCIDENT] : []), versionWarnings: async (apps) => (apps.includes('acme-prod') ? [VERSION] : []) },
        upcomingWindows: async () => [
          { id: 'heroku:1', title: '[Virginia] Heroku Connect maintenance', start: new Date('2026-12-10T17:00:00Z'), end: new Date('2026-12-10T17:45:00Z'), regions: ['Virginia'], confidence: 'high', link: null },
        ],
      },
    });
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    for (const run of await h.engine.listRuns({ active: true })) await h.engine.cancel({ runId: run.id, userId: USERS.operator });
  });

  const opened = async (user: string) => {
    const before = h.workspace.homeOf(user)?.hash;
    expect((await h.driver.homeOpened({ user })).status).toBe(200);
    return h.workspace.waitFor(() => {
      const home = h.workspace.homeOf(user);
      return home && home.hash !== before ? home : undefined;
    });
  };

  it('shows an approver the approvals waiting on them, and approves from the tab', async () => {
    await h.command(USERS.operator, 'pause acme-prod');
    const runId = startedRunId(await h.ephemeral(USERS.operator, /^Started/));
    await h.runIn(runId, ['awaiting_approval']);

    const home = await opened(USERS.approver);
    expect(home.type).toBe('home');
    expect(viewText(home)).toContain('Waiting on you (1)');
    expect(viewText(home)).toContain(runId);
    // The requester never sees their own run as theirs to approve.
    expect(viewText(await opened(USERS.operator))).toContain('Waiting on you (0)');

    const approve = buttonsOf(home.view.blocks as unknown[]).find((b) => b.action_id === ACTIONS.approve);
    const delivery = await h.driver.viewAction({ user: USERS.approver, view: viewJson(h.workspace, home), blockId: approve?.block_id ?? '', action: { ...approve, type: 'button' } });
    expect(delivery.status).toBe(200);
    const after = await redrawn(h.workspace, home.id, home.hash);
    expect(viewText(after)).toContain('Approved: `' + runId + '` has its approvals and goes on.');
    expect(viewText(after)).toContain('Waiting on you (0)');
    expect((await h.runIn(runId, ['succeeded'])).status).toBe('succeeded');
  });

  it('lists the person’s runs and the runs on their apps, open incidents, version warnings and maintenance', async () => {
    await h.command(USERS.operator, 'pause acme-prod');
    const runId = startedRunId(await h.ephemeral(USERS.operator, /^Started/));
    const mine = viewText(await opened(USERS.operator));
    expect(mine).toContain('Your runs');
    expect(mine).toContain(runId);
    expect(mine).toContain('The Account mapping stopped syncing (SCHEMA_CHANGED)');
    expect(mine).toContain('postgresql-curly-12345');
    expect(mine).toContain('forced upgrade from 2026-06-01 (about)');
    expect(mine).toContain('[Virginia] Heroku Connect maintenance');
    expect(buttonsOf((await opened(USERS.operator)).view.blocks as unknown[]).map((b) => b.action_id)).toContain(OPEN_MODAL_ACTION);

    const theirs = viewText(await opened(USERS.approver2));
    expect(theirs).toContain('Runs on your apps');
    expect(theirs).toContain(runId);

    const stranger = viewText(await opened(USERS.stranger));
    expect(stranger).toContain('You are not an operator, approver or reader of any app');
    expect(stranger).not.toContain('SCHEMA_CHANGED');
    expect(h.slack.callsTo('views.publish').every((c) => c.response.ok === true)).toBe(true);
  });

  it('opens the runbook form from the tab', async () => {
    const home = await opened(USERS.operator);
    const start = buttonsOf(home.view.blocks as unknown[]).find((b) => b.action_id === OPEN_MODAL_ACTION);
    await h.driver.viewAction({ user: USERS.operator, view: viewJson(h.workspace, home), blockId: start?.block_id ?? '', action: { ...start, type: 'button' } });
    const modal = await h.workspace.waitFor(() => h.workspace.modalOf(USERS.operator));
    expect(modal.view).toMatchObject({ callback_id: 'runbook_modal', title: { text: 'Run a runbook' } });
    h.workspace.closeView(modal.id);
  });
});
