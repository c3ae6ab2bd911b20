import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { RunView } from '../../src/ops/engine/types.js';
import { buttonsOf, type SlackMessage } from '../../src/sandbox/slack/index.js';
import { CHANNEL, OTHER_CHANNEL, startBotHarness, startedRunId, USERS, type BotHarness } from './support/harness.js';

const STAGING = 'C0STAGING00';
const HOUR = 3_600_000;

describe('policy and approvals, through Slack', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness();
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    h.connect.revision = '';
    // One run per app: stop whatever the previous test left running.
    for (const run of await h.engine.listRuns({ active: true })) await h.engine.cancel({ runId: run.id, userId: USERS.operator });
  });

  /** Starts a run by command and returns it once its plan card has the Approve button. */
  async function started(user: string, text: string, channel = CHANNEL): Promise<{ run: RunView; card: SlackMessage; message: SlackMessage }> {
    const before = h.ephemerals(user).length;
    await h.command(user, text, channel);
    const confirmation = await h.workspace.waitFor(() => h.ephemerals(user).slice(before).find((t) => t.startsWith('Started')));
    const run = await h.runIn(startedRunId(confirmation), ['awaiting_approval']);
    const { card, message } = await h.messagesOf(run.id);
    return { run, card: await cardWith(card, (m) => buttonsOf(m.blocks).length > 0), message };
  }

  /** The card as it is once `ready` holds. */
  const cardWith = (card: SlackMessage, ready: (m: SlackMessage) => boolean) =>
    h.workspace.waitFor(() => {
      const current = h.workspace.message(card.channel, card.ts);
      return current && ready(current) ? current : undefined;
    });
  const cardText = (card: SlackMessage) => JSON.stringify(h.workspace.message(card.channel, card.ts)?.blocks);

  async function click(user: string, message: SlackMessage, actionId: string): Promise<string> {
    const before = h.ephemerals(user).length;
    const delivery = await h.driver.click({ user, message, actionId });
    expect(delivery.status).toBe(200);
    return h.workspace.waitFor(() => h.ephemerals(user)[before]);
  }

  it('lets only operators start runs, only from the app channel', async () => {
    await h.command(USERS.approver, 'pause acme-prod');
    expect(await h.ephemeral(USERS.approver, /operators/)).toBe(
      'Only the operators of `acme-prod` may start its runs: <@U01OPERATOR>, <!subteam^S0PLATFORM|@platform-team>.',
    );
    await h.command(USERS.operator, 'pause acme-prod', OTHER_CHANNEL);
    expect(await h.ephemeral(USERS.operator, /channel/)).toBe('Runs of `acme-prod` start from its channel, <#C0123456789>.');
    const { run } = await started(USERS.platform, 'pause acme-prod');
    expect(run.requestedBy).toBe(USERS.platform);
    expect(await h.engine.listRuns({ app: 'acme-prod' })).toHaveLength(1);
  });

  it('needs two distinct approvers for an upgrade, refuses everyone else and keeps the request open', async () => {
    const { run, card } = await started(USERS.operator, 'upgrade acme-prod --version 17');
    expect(run.approvalsRequired).toBe(2);
    expect(cardText(card)).toContain('Needs 2 approvals');

    expect(await click(USERS.stranger, card, 'approve')).toBe(
      'Only the approvers of `acme-prod` may approve or reject its runs: <@U02APPROVER>, <@U03APPROVER>, <!subteam^S0DBALEADS|@dba-leads>. The request stays open.',
    );
    expect(await click(USERS.operator, card, 'reject')).toMatch(/^Only the approvers .* The request stays open\.$/);
    expect((await h.engine.getRun(run.id))?.approvals).toEqual([]);

    expect(await click(USERS.approver, card, 'approve')).toBe(`Your approval of \`${run.id}\` is recorded: 1 of 2. More approvers are needed.`);
    expect(await click(USERS.approver, card, 'approve')).toBe(`You already decided on \`${run.id}\`; a second click changes nothing.`);
    const halfway = await h.engine.getRun(run.id);
    expect(halfway?.status).toBe('awaiting_approval');
    expect(halfway?.approvals.map((a) => a.userId)).toEqual([USERS.approver]);
    await cardWith(card, (m) => JSON.stringify(m.blocks).includes('1 of 2'));

    expect(await click(USERS.dbaLead, card, 'approve')).toBe(`Approved: \`${run.id}\` has its approvals and goes on.`);
    expect((await h.runIn(run.id, ['succeeded'])).approvals.map((a) => a.userId)).toEqual([USERS.approver, USERS.dbaLead]);
    // Every decision is on the card, and the buttons are gone.
    const decided = await cardWith(card, (m) => buttonsOf(m.blocks).length === 0);
    expect(JSON.stringify(decided.blocks)).toMatch(/<@U02APPROVER> :white_check_mark: approved.*<@U06DBALEAD> :white_check_mark: approved/);
    expect(JSON.stringify(decided.blocks)).toContain('*Approved.*');
  });

  it('never lets the requester approve their own run', async () => {
    const { run, card } = await started(USERS.dbaLead, 'pause acme-staging', STAGING);
    expect(await click(USERS.dbaLead, card, 'approve')).toBe(`You requested \`${run.id}\`, so you cannot approve it: another approver has to.`);
    expect((await h.engine.getRun(run.id))?.status).toBe('awaiting_approval');
    expect(await click(USERS.approver, card, 'approve')).toMatch(/^Approved/);
  });

  it('says an approval after expiry does nothing', async () => {
    const { run, card } = await started(USERS.operator, 'pause acme-prod');
    h.clock.advance(5 * HOUR);
    expect(await click(USERS.approver, card, 'approve')).toMatch(new RegExp(`^The approval request of \`${run.id}\` expired .*; nothing was recorded\\.`));
    const expired = await h.runIn(run.id, ['cancelled', 'failed']);
    expect(expired.error?.code).toBe('approval_expired');
    expect(expired.approvals).toEqual([]);
    await cardWith(card, (m) => JSON.stringify(m.blocks).includes('*Expired:*'));
  });

  it('says an approval of a plan that changed does nothing, then takes one on the updated card', async () => {
    const { run, card } = await started(USERS.operator, 'pause acme-prod');
    const stale = { ...card };
    // A deploy changes the runbook's calls: the plan the approvers saw is not the one that would run.
    h.connect.revision = '?deep=true';
    await h.restartEngine();
    expect(await click(USERS.approver, stale, 'approve')).toBe(
      `The plan of \`${run.id}\` changed after the card you clicked was posted; nothing was recorded. Read the updated plan card, then decide.`,
    );
    expect((await h.engine.getRun(run.id))?.approvals).toEqual([]);
    // The card shows the calls that change something; the changed read is in the plan hash it shows.
    let hash = run.planHash;
    for (const deadline = Date.now() + 5_000; hash === run.planHash && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      hash = (await h.engine.getRun(run.id))?.planHash ?? hash;
    }
    expect(hash).not.toBe(run.planHash);
    const updated = await cardWith(card, (m) => JSON.stringify(m.blocks).includes(hash.slice(0, 12)) && buttonsOf(m.blocks).length > 0);
    expect(await click(USERS.approver, updated, 'approve')).toMatch(/^Approved/);
    expect((await h.runIn(run.id, ['succeeded'])).status).toBe('succeeded');
  });

  it('rejects: the run stops before the cutover and the card says who rejected', async () => {
    const { run, card } = await started(USERS.operator, 'pause acme-prod');
    expect(await click(USERS.approver2, card, 'reject')).toBe(`You rejected \`${run.id}\`: the run stops before the cutover.`);
    expect((await h.runIn(run.id, ['cancelled'])).error?.code).toBe('approval_rejected');
    await cardWith(card, (m) => JSON.stringify(m.blocks).includes('*Rejected* by <@U03APPROVER>'));
  });

  it('asks for a manual step in the thread, and only an operator can confirm it', async () => {
    await h.command(USERS.operator, 'resume acme-prod');
    const id = startedRunId(await h.ephemeral(USERS.operator, /Started .*resume/));
    await h.runIn(id, ['awaiting_manual']);
    const { message } = await h.messagesOf(id);
    const request = await h.workspace.waitFor(() => h.workspace.replies(CHANNEL, message.ts).find((r) => r.text.startsWith('Manual step')));
    expect(JSON.stringify(request.blocks)).toContain('Open the Heroku Connect dashboard and authorize Salesforce.');
    expect(await click(USERS.stranger, request, 'manual_done')).toMatch(/^Only the operators of `acme-prod` may confirm its manual steps/);
    expect(await click(USERS.operator, request, 'manual_done')).toBe(`Thanks: the step is confirmed and \`${id}\` goes on.`);
    expect(h.workspace.message(CHANNEL, request.ts)?.text).toBe('Done: Log in to Salesforce');
    await h.runIn(id, ['succeeded']);
    const summary = await h.workspace.waitFor(() => h.workspace.replies(CHANNEL, message.ts).find((r) => r.text.endsWith('succeeded')));
    expect(JSON.stringify(summary.blocks)).toContain('*resume acme-prod succeeded*');
  });

  it('cancels by command for operators and refuses everyone else', async () => {
    const { run, card } = await started(USERS.operator, 'pause acme-prod');
    await h.command(USERS.approver, `cancel ${run.id}`);
    expect(await h.ephemeral(USERS.approver, /cancel/)).toMatch(/^Only the operators of `acme-prod` may cancel its runs/);
    await h.command(USERS.operator, `cancel ${run.id}`);
    expect(await h.ephemeral(USERS.operator, /is cancelled/)).toBe(`\`${run.id}\` is cancelled.`);
    await cardWith(card, (m) => JSON.stringify(m.blocks).includes(':octagonal_sign: cancelled the run'));
    await h.command(USERS.operator, 'cancel rnothing00000');
    expect(await h.ephemeral(USERS.operator, /No run/)).toBe('No run `rnothing00000`. `/connect runs` lists the recent ones.');
  });
});
