import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { webApi } from '@slack/bolt';
import { AccessPolicy } from '../../src/bot/policy.js';
import { slackUserGroups } from '../../src/bot/user-groups.js';
import { loadConfig, type Policy } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { SlackWorkspace, startSlackStandIn, type SlackStandIn } from '../../src/sandbox/slack/index.js';
import { BOT_TOKEN, CHANNEL, OTHER_CHANNEL, POLICY, seedWorkspace, TestClock, USERS } from './support/harness.js';

describe('the access policy', () => {
  let slack: SlackStandIn;
  let policy: Policy;
  let clock: TestClock;
  let access: AccessPolicy;

  beforeAll(async () => {
    const workspace = new SlackWorkspace();
    seedWorkspace(workspace);
    slack = await startSlackStandIn({ workspace, botToken: BOT_TOKEN });
    policy = loadConfig({ env: {}, readPolicy: () => POLICY }).policy;
  });
  afterAll(() => slack.close());

  beforeEach(() => {
    clock = new TestClock();
    const client = new webApi.WebClient(BOT_TOKEN, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 }, logLevel: webApi.LogLevel.ERROR });
    access = new AccessPolicy(policy, slackUserGroups(client, { ttlMs: 60_000, clock: clock.now, logger: createLogger({ level: 'silent' }) }));
    slack.calls.length = 0;
  });

  it('lets operators start runs from the app channel, by user ID or through a user group', async () => {
    expect(await access.mayStart(USERS.operator, 'acme-prod', CHANNEL)).toEqual({ ok: true });
    expect(await access.mayStart(USERS.platform, 'acme-prod', CHANNEL)).toEqual({ ok: true });
  });

  it('refuses everyone else, naming who may', async () => {
    expect(await access.mayStart(USERS.approver, 'acme-prod', CHANNEL)).toEqual({
      ok: false,
      reason: 'not_operator',
      message: 'Only the operators of `acme-prod` may start its runs: <@U01OPERATOR>, <!subteam^S0PLATFORM|@platform-team>.',
    });
    expect(await access.mayStart(USERS.operator, 'acme-prod', OTHER_CHANNEL)).toEqual({
      ok: false,
      reason: 'wrong_channel',
      message: 'Runs of `acme-prod` start from its channel, <#C0123456789>.',
    });
    expect(await access.mayStart(USERS.operator, 'initech-api', CHANNEL)).toMatchObject({ ok: false, reason: 'unknown_app' });
    // Operators of one app are nobody on another.
    expect(await access.mayStart(USERS.platform, 'acme-staging', 'C0STAGING00')).toMatchObject({ ok: false, reason: 'not_operator' });
  });

  it('lets approvers decide, directly or through @dba-leads, and nobody else', async () => {
    expect(await access.mayDecide(USERS.approver2, 'acme-prod', 'approve')).toEqual({ ok: true });
    expect(await access.mayDecide(USERS.dbaLead, 'acme-prod', 'approve')).toEqual({ ok: true });
    expect(await access.mayDecide(USERS.operator, 'acme-prod', 'approve or reject its runs')).toEqual({
      ok: false,
      reason: 'not_approver',
      message: 'Only the approvers of `acme-prod` may approve or reject its runs: <@U02APPROVER>, <@U03APPROVER>, <!subteam^S0DBALEADS|@dba-leads>.',
    });
    expect(await access.mayOperate(USERS.stranger, 'acme-prod', 'cancel its runs')).toMatchObject({ ok: false, reason: 'not_operator' });
    expect(await access.approverMentions('acme-prod')).toBe('<@U02APPROVER>, <@U03APPROVER>, <!subteam^S0DBALEADS|@dba-leads>');
  });

  it('caches user groups for the TTL, then asks Slack again', async () => {
    for (let i = 0; i < 5; i += 1) await access.mayDecide(USERS.dbaLead, 'acme-prod', 'approve');
    expect(slack.callsTo('usergroups.list')).toHaveLength(1);
    expect(slack.callsTo('usergroups.users.list')).toHaveLength(1);
    // Membership changes in Slack are seen once the cache expires.
    slack.workspace.userGroup('S0DBALEADS')!.users = [];
    expect(await access.mayDecide(USERS.dbaLead, 'acme-prod', 'approve')).toEqual({ ok: true });
    clock.advance(61_000);
    expect(await access.mayDecide(USERS.dbaLead, 'acme-prod', 'approve')).toMatchObject({ ok: false });
    expect(slack.callsTo('usergroups.users.list')).toHaveLength(2);
    slack.workspace.userGroup('S0DBALEADS')!.users = [USERS.dbaLead];
  });

  it('refuses group members while Slack cannot be asked, and does not cache the failure', async () => {
    slack.failNext('usergroups.list', 'ratelimited');
    expect(await access.mayDecide(USERS.dbaLead, 'acme-prod', 'approve')).toMatchObject({ ok: false, reason: 'not_approver' });
    expect(await access.mayDecide(USERS.dbaLead, 'acme-prod', 'approve')).toEqual({ ok: true });
    // Users named by ID need no lookup.
    const down = new webApi.WebClient(BOT_TOKEN, { slackApiUrl: 'http://127.0.0.1:9/api/', retryConfig: { retries: 0 }, logLevel: webApi.LogLevel.ERROR });
    const offline = new AccessPolicy(policy, slackUserGroups(down, { logger: createLogger({ level: 'silent' }) }));
    expect(await offline.mayDecide(USERS.approver, 'acme-prod', 'approve')).toEqual({ ok: true });
    expect(await offline.approverMentions('acme-prod')).toBe('<@U02APPROVER>, <@U03APPROVER>, @dba-leads');
  });
});
