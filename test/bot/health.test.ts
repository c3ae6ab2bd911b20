import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeFixValue, FIX_ACTION } from '../../src/bot/actions/fix-values.js';
import { buttonsOf } from '../../src/sandbox/slack/index.js';
import type { DatabaseVersion, Incident } from '../../src/status/health/index.js';
import { CHANNEL, startBotHarness, startedRunId, USERS, type BotHarness } from './support/harness.js';

const incident = (overrides: Partial<Incident> = {}): Incident => ({
  id: 'i-1',
  app: 'acme-prod',
  kind: 'connection_paused',
  subject: 'c-1',
  title: 'Heroku Connect is PAUSED, and no run of connect-ops paused it',
  details: ['Connection herokuconnect-shiny-123 is PAUSED: Salesforce is not polled & <changes> wait.'],
  advice: 'Resume it: the button plans the resume runbook.',
  fix: { runbook: 'pause', params: { app: 'acme-prod' }, label: 'Plan pause' },
  status: 'open',
  firstSeenAt: '2026-12-04T10:00:00.000Z',
  openedAt: '2026-12-04T14:00:00.000Z',
  resolvedAt: null,
  ...overrides,
});

const database: DatabaseVersion = {
  app: 'acme-prod',
  addonId: 'a-1',
  addonName: 'postgresql-curly-12345',
  plan: 'standard-0',
  attachments: ['DATABASE'],
  connectDatabase: true,
  version: '15.12',
  major: '15',
  herokuWarning: 'Postgres 15 is deprecated. Heroku will upgrade this database by force on or after 2027-05-04.',
  deprecated: true,
  forcedUpgradesFrom: '2027-05-04',
  basis: "Heroku's Warning row",
  approximate: false,
  endOfLifeStated: 'Q3 2026',
  sources: ['pg:info Warning row'],
  fix: { runbook: 'upgrade', params: { app: 'acme-prod', version: 17, dryRun: true }, label: 'Plan upgrade to 17' },
  checkedAt: '2026-12-04T10:00:00.000Z',
};

describe('health incidents and version warnings in Slack', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness();
  });
  afterAll(() => h.close());

  const message = (ref: { channel: string; ts: string }) => h.workspace.message(ref.channel, ref.ts)!;

  it('posts an incident with its fix; only an operator’s click starts the runbook, through its plan and approvals', async () => {
    const ref = await h.bot.healthNotifier.postIncident(CHANNEL, incident());
    const posted = message(ref);
    expect(posted.text).toBe('acme-prod: Heroku Connect is PAUSED, and no run of connect-ops paused it');
    expect(JSON.stringify(posted.blocks)).toContain('&amp; &lt;changes&gt; wait');
    expect(buttonsOf(posted.blocks).map((b) => [b.action_id, (b.text as { text: string }).text])).toEqual([[FIX_ACTION, 'Plan pause']]);

    await h.driver.click({ user: USERS.stranger, message: posted, actionId: FIX_ACTION });
    expect(await h.ephemeral(USERS.stranger, /operators/)).toMatch(/^Only the operators of `acme-prod` may start its runs/);

    await h.driver.click({ user: USERS.operator, message: posted, actionId: FIX_ACTION });
    const runId = startedRunId(await h.ephemeral(USERS.operator, /to fix it/));
    const run = await h.runIn(runId, ['awaiting_approval']);
    expect(run).toMatchObject({ runbook: 'pause', app: 'acme-prod', requestedBy: USERS.operator, approvalsRequired: 1 });
    expect((await h.messagesOf(runId)).card.text).toBe('Plan: pause acme-prod');
    await h.engine.cancel({ runId, userId: USERS.operator });

    await h.bot.healthNotifier.updateIncident(ref, incident({ status: 'resolved', resolvedAt: '2026-12-04T15:00:00.000Z' }));
    const resolved = message(ref);
    expect(resolved.text).toBe('Resolved: acme-prod: Heroku Connect is PAUSED, and no run of connect-ops paused it');
    expect(buttonsOf(resolved.blocks)).toEqual([]);
    expect(JSON.stringify(resolved.blocks)).toContain('after 5h');
  });

  it('offers reload for a mapping in error, naming the mapping; new write errors go in the incident’s thread', async () => {
    const ref = await h.bot.healthNotifier.postIncident(
      CHANNEL,
      incident({ kind: 'mapping_error', subject: 'Case', title: 'The Case mapping is BULK_LOAD_ERROR', fix: { runbook: 'reload', params: { app: 'acme-prod', mappings: ['Case'] }, label: 'Plan reload of Case' } }),
    );
    const posted = message(ref);
    expect(buttonsOf(posted.blocks).map((b) => (b.text as { text: string }).text)).toEqual(['Plan reload of Case']);
    // The button carries the runbook and the mapping, as `/connect reload acme-prod Case` (test/main.test.ts clicks it against the real runbooks).
    expect(decodeFixValue(buttonsOf(posted.blocks)[0]?.value)).toEqual({ app: 'acme-prod', runbook: 'reload', params: { app: 'acme-prod', mappings: ['Case'] } });

    await h.bot.healthNotifier.replyToIncident(ref, incident({ kind: 'write_errors' }), ['2 new write errors (Account +2):', 'account row 1042: REQUIRED_FIELD_MISSING <LastName>']);
    const reply = h.slack.callsTo('chat.postMessage').at(-1);
    expect(reply?.args).toMatchObject({ channel: CHANNEL, thread_ts: ref.ts, text: 'acme-prod: 2 new write errors (Account +2):' });
    expect(JSON.stringify(reply?.args)).toContain('REQUIRED_FIELD_MISSING &lt;LastName&gt;');
    expect(reply?.response.ok).toBe(true);
  });

  it('posts a version warning citing its source, whose button plans the upgrade', async () => {
    const ref = await h.bot.healthNotifier.postVersionWarning(CHANNEL, { database, lead: '30d', msBefore: 30 * 86_400_000 });
    const posted = message(ref);
    expect(posted.text).toBe('acme-prod: postgresql-curly-12345 runs Postgres 15, deprecated by Heroku. 30d to the forced upgrade.');
    const text = JSON.stringify(posted.blocks);
    expect(text).toContain('Heroku upgrades it by force from *2027-05-04*');
    expect(text).toContain('Sources: pg:info Warning row');
    await h.driver.click({ user: USERS.operator, message: posted, actionId: FIX_ACTION });
    const runId = startedRunId(await h.ephemeral(USERS.operator, /Started `[^`]+` \(upgrade/));
    expect(await h.runIn(runId, ['awaiting_approval'])).toMatchObject({ runbook: 'upgrade', params: { version: 17 }, approvalsRequired: 2 });
    await h.engine.cancel({ runId, userId: USERS.operator });
  });

  it('posts a digest Slack accepts, with the open incidents’ fixes', async () => {
    const ref = await h.bot.healthNotifier.postDigest(CHANNEL, { day: '2026-12-04', open: [incident()], resolved: [incident({ id: 'i-2', status: 'resolved', resolvedAt: '2026-12-04T09:00:00.000Z' })], versions: [] });
    const posted = message(ref);
    expect(posted.text).toBe('Heroku Connect health, 2026-12-04: 1 open, 1 cleared');
    expect(buttonsOf(posted.blocks).map((b) => b.action_id)).toEqual([FIX_ACTION]);
    // With a digest the radar's warnings come in it, with their upgrade button.
    const withVersions = message(await h.bot.healthNotifier.postDigest(CHANNEL, { day: '2026-12-05', open: [], resolved: [], versions: [{ database, lead: '30d', msBefore: 30 * 86_400_000 }] }));
    expect(withVersions.text).toBe('Heroku Connect health, 2026-12-05: 0 open, 0 cleared, 1 Postgres version warning');
    expect(JSON.stringify(withVersions.blocks)).toContain('Postgres 15 — 30d to the forced upgrade');
    expect(buttonsOf(withVersions.blocks).map((b) => (b.text as { text: string }).text)).toEqual(['Plan upgrade to 17']);
    expect(h.slack.callsTo('chat.postMessage').every((c) => c.response.ok === true)).toBe(true);
  });
});
