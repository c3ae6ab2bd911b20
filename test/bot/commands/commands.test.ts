import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buttonsOf } from '../../../src/sandbox/slack/index.js';
import { CHANNEL, startBotHarness, startedRunId, USERS, type BotHarness } from '../support/harness.js';

const WINDOW = {
  id: 'heroku:2959',
  title: 'Scheduled maintenance for Heroku Connect (Virginia)',
  start: new Date('2026-07-15T17:00:00Z'),
  end: new Date('2026-07-15T17:45:00Z'),
  regions: ['Virginia'],
  confidence: 'high' as const,
  link: 'https://status.heroku.com/incidents/2959',
};

describe('the read-only commands', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness({
      ports: {
        upcomingWindows: async () => [WINDOW],
        appStatus: async (app) => {
          if (app === 'acme-staging') throw new Error('Heroku answered 503 for postgres://admin:hunter2@db.example.com/x');
          return {
            app,
            connection: { id: 'c-1', state: 'IDLE', dbKey: 'DATABASE_URL', schemaName: 'salesforce' },
            mappings: [{ objectName: 'Account', state: 'DATA_SYNCED', counts: { db: 1_204_311, sf: 1_204_311, pending: 0, errors: 2 } }],
            databases: [{ addon: 'postgresql-curly-12345', attachments: ['DATABASE_URL'], plan: 'standard-0', version: '15', status: 'available', following: null, lagCommits: null }],
          };
        },
      },
    });
  });
  afterAll(() => h.close());

  const answer = async (text: string, pattern: RegExp, user: string = USERS.stranger) => {
    await h.command(user, text);
    const ephemeral = await h.workspace.waitFor(() => h.workspace.ephemerals({ user }).find((e) => pattern.test(e.text)));
    return JSON.stringify(ephemeral.blocks) + ephemeral.text;
  };

  it('status: the connection, its mappings and databases, as Heroku reports them', async () => {
    const shown = await answer('status -a acme-prod', /Status of acme-prod/);
    expect(shown).toContain('*Heroku Connect:* `IDLE` · db_key `DATABASE_URL` · schema `salesforce`');
    expect(shown).toContain('• Account `DATA_SYNCED` · db 1,204,311 / Salesforce 1,204,311 · 2 errors');
    expect(shown).toContain('• `postgresql-curly-12345` (`DATABASE_URL`) `standard-0` · Postgres 15 · available');
  });

  it('status: says what Heroku answered, with secrets redacted', async () => {
    const shown = await answer('status acme-staging', /Could not read/);
    expect(shown).toContain('Could not read the status of `acme-staging` from Heroku: Heroku answered 503 for postgres://[REDACTED]@db.example.com/x');
    expect(shown).not.toContain('hunter2');
  });

  it('maintenance: the announced windows', async () => {
    const shown = await answer('maintenance', /maintenance window/);
    expect(shown).toContain('<https://status.heroku.com/incidents/2959|Scheduled maintenance for Heroku Connect (Virginia)>');
    expect(shown).toContain('<!date^1784134800^{date_short_pretty} {time}|2026-07-15 17:00 UTC>');
  });

  it('help, and plan: a preview card with no buttons and nothing started', async () => {
    expect(await answer('help', /\/connect commands/)).toContain('/connect upgrade APP [--version N] [--via follower] [--at TIME]');
    await h.command(USERS.stranger, 'plan upgrade acme-prod --version 17');
    const card = await h.workspace.waitFor(() => h.workspace.ephemerals({ user: USERS.stranger }).find((e) => e.text === 'Plan: upgrade acme-prod'));
    expect(JSON.stringify(card.blocks)).toContain('Nothing has started. `/connect upgrade acme-prod --version 17` starts it.');
    expect(JSON.stringify(card.blocks)).toContain('*Needs 2 approvals* from distinct approvers');
    expect(buttonsOf(card.blocks)).toEqual([]);
    expect(await h.runs()).toEqual([]);
  });

  it('runs: the recent runs of an app', async () => {
    await h.command(USERS.operator, 'pause acme-prod', CHANNEL);
    const id = startedRunId(await h.ephemeral(USERS.operator, /Started/));
    const shown = await answer('runs acme-prod', /Runs of acme-prod/);
    expect(shown).toContain(`\`${id}\` *pause* acme-prod`);
    await h.engine.cancel({ runId: id, userId: USERS.operator });
  });
});
