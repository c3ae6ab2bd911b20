import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buttonsOf } from '../../../src/sandbox/slack/index.js';
import { CHANNEL, MAINTENANCE_CHANNEL, OTHER_CHANNEL, startBotHarness, startedRunId, USERS, type BotHarness } from '../support/harness.js';

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
  /** Apps whose status was read from "Heroku" (the port), in order. */
  const herokuReads: string[] = [];
  beforeAll(async () => {
    h = await startBotHarness({
      ports: {
        upcomingWindows: async () => [WINDOW],
        appStatus: async (app) => {
          herokuReads.push(app);
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

  const answer = async (text: string, pattern: RegExp, user: string = USERS.operator, channel: string = CHANNEL) => {
    await h.command(user, text, channel);
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
    const shown = await answer('status acme-staging', /Could not read/, USERS.operator, 'C0STAGING00');
    expect(shown).toContain('Could not read the status of `acme-staging` from Heroku: Heroku answered 503 for postgres://[REDACTED]@db.example.com/x');
    expect(shown).not.toContain('hunter2');
  });

  it('maintenance: the announced windows', async () => {
    const shown = await answer('maintenance', /maintenance window/);
    expect(shown).toContain('<https://status.heroku.com/incidents/2959|Scheduled maintenance for Heroku Connect (Virginia)>');
    expect(shown).toContain('<!date^1784134800^{date_short_pretty} {time}|2026-07-15 17:00 UTC>');
  });

  it('help, and plan: a preview card with no buttons and nothing started', async () => {
    expect(await answer('help', /\/connect commands/)).toContain('/connect upgrade APP [--version N] [--dry-run] [--via follower] [--at TIME]');
    await h.command(USERS.approver, 'plan upgrade acme-prod --version 17');
    const card = await h.workspace.waitFor(() => h.workspace.ephemerals({ user: USERS.approver }).find((e) => e.text === 'Plan: upgrade acme-prod'));
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

  it('reads are for the app’s operators, approvers and readers, in its channel; a stranger gets a private refusal and no Heroku call (failure 1)', async () => {
    h.clock.advance(60_000);
    herokuReads.length = 0;
    const refusal = /not among them/;
    for (const text of ['status acme-prod', 'plan upgrade acme-prod', 'runs', 'runs acme-prod', 'maintenance', 'status nosuchapp', 'upgarde acme-prod']) {
      const delivery = await h.command(USERS.stranger, text);
      expect(delivery.status).toBe(200);
    }
    await h.workspace.waitFor(() => (h.ephemerals(USERS.stranger).filter((t) => refusal.test(t)).length === 7 ? true : undefined));
    const told = h.ephemerals(USERS.stranger).join('\n');
    // No app name, live state or usage error with app names reaches a stranger.
    expect(told).not.toMatch(/acme|IDLE|Status of|Unknown app|Runs of/);
    expect(herokuReads).toEqual([]);
    // help is for everyone.
    expect(await answer('help', /\/connect commands/, USERS.stranger)).toContain('/connect status APP');

    // An approver reads in the app's channel (through @dba-leads too); elsewhere the answer says where.
    expect(await answer('status acme-prod', /Status of acme-prod/, USERS.dbaLead)).toContain('IDLE');
    expect(await answer('status acme-prod', /Ask about/, USERS.approver, OTHER_CHANNEL)).toContain('Ask about `acme-prod` in <#C0123456789>: it is answered there only.');
    // Someone named for acme-prod only (through @platform-team) is no reader of acme-staging.
    expect(await answer('runs acme-staging', /Only the/, USERS.platform, 'C0STAGING00')).toContain('Only the operators, approvers and readers of `acme-staging` may list its runs.');
    expect(await answer('maintenance', /maintenance window/, USERS.approver, MAINTENANCE_CHANNEL)).toContain('Scheduled maintenance for Heroku Connect');
    expect(await answer('maintenance', /Maintenance windows are listed in/, USERS.approver, OTHER_CHANNEL)).toContain('<#C0999999999>');
    expect(herokuReads).toEqual(['acme-prod']);
  });

  it('shares the answer to the same read for a few seconds: a burst of status costs Heroku one read', async () => {
    h.clock.advance(60_000);
    herokuReads.length = 0;
    await Promise.all(Array.from({ length: 10 }, () => h.command(USERS.approver2, 'status acme-prod')));
    await h.workspace.waitFor(() => (h.ephemerals(USERS.approver2).filter((t) => t.startsWith('Status of acme-prod')).length === 10 ? true : undefined));
    expect(herokuReads).toEqual(['acme-prod']);
  });
});

describe('who may read, by policy', () => {
  it('lets the app’s readers read in its read channels', async () => {
    const { loadConfig } = await import('../../../src/config.js');
    const { AccessPolicy } = await import('../../../src/bot/policy.js');
    const policy = loadConfig({
      env: {},
      readPolicy: () =>
        'apps:\n  acme-prod:\n    channel: C0123456789\n    operators: [U01OPERATOR]\n    approvers: [U02APPROVER]\n    readers: [U07SUPPORT, "@support"]\n    read_channels: [C0SUPPORT00]\n',
    }).policy;
    const groups = { members: async (handle: string) => (handle === 'support' ? ['U08ONCALL'] : undefined), ids: async () => new Map<string, string>() };
    const access = new AccessPolicy(policy, groups);
    expect((await access.mayRead('U07SUPPORT', 'acme-prod', 'C0SUPPORT00', 'read it')).ok).toBe(true);
    expect((await access.mayRead('U08ONCALL', 'acme-prod', 'C0123456789', 'read it')).ok).toBe(true);
    expect(await access.mayRead('U07SUPPORT', 'acme-prod', 'C0RANDOM00', 'read it')).toMatchObject({ ok: false, reason: 'wrong_channel' });
    expect(await access.mayRead('U09NOBODY', 'acme-prod', 'C0123456789', 'read it')).toMatchObject({ ok: false, reason: 'not_reader' });
    // Readers read; they neither start nor approve.
    expect(await access.mayStart('U07SUPPORT', 'acme-prod', 'C0123456789')).toMatchObject({ ok: false, reason: 'not_operator' });
    expect(await access.mayDecide('U07SUPPORT', 'acme-prod', 'approve')).toMatchObject({ ok: false, reason: 'not_approver' });
    expect(await access.isKnown('U09NOBODY')).toBe(false);
    expect(await access.readableApps('U07SUPPORT', 'C0SUPPORT00')).toEqual(['acme-prod']);
  });
});
