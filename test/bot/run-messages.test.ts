import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { webApi } from '@slack/bolt';
import { storeIdempotency } from '../../src/bot/idempotency.js';
import { AccessPolicy } from '../../src/bot/policy.js';
import { RunMessages } from '../../src/bot/run-messages.js';
import { slackUserGroups } from '../../src/bot/user-groups.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import type { EngineEvent, EngineEventType, RunView, StepView } from '../../src/ops/engine/types.js';
import { buttonsOf, SlackWorkspace, startSlackStandIn, type SlackStandIn } from '../../src/sandbox/slack/index.js';
import type { Store } from '../../src/store/index.js';
import { createTestStore, storeDialects, type TestStore } from '../support/backends.js';
import { BOT_TOKEN, CHANNEL, POLICY, seedWorkspace, USERS } from './support/harness.js';

const dialects = await storeDialects();
const INTERVAL = 150;
let runCounter = 0;

function step(idx: number, title: string, kind: StepView['kind'], status: StepView['status'], extra: Partial<StepView> = {}): StepView {
  return { idx, title, kind, status, attempts: 0, startedAt: null, finishedAt: null, nextPollAt: null, progress: null, instructions: null, output: null, error: null, skipReason: null, ...extra };
}

function newRun(): RunView {
  runCounter += 1;
  const now = new Date().toISOString();
  return {
    id: `rtest${runCounter}`,
    app: 'acme-prod',
    runbook: 'pause',
    status: 'running',
    requestedBy: USERS.operator,
    channel: CHANNEL,
    planHash: 'a'.repeat(64),
    params: { app: 'acme-prod' },
    notBefore: null,
    createdAt: now,
    updatedAt: now,
    finishedAt: null,
    approvalsRequired: 1,
    approvals: [],
    approvalExpiresAt: null,
    cancelRequested: false,
    steps: [step(0, 'Wait until Heroku Connect is idle', 'wait', 'waiting', { startedAt: now }), step(1, 'Approve the pause', 'approval', 'pending'), step(2, 'Log in to Salesforce', 'manual', 'pending')],
    outputs: {},
    rollbackOf: null,
    timeScale: 1,
  };
}

/** The next state of a run: a later updatedAt and whatever changed. */
function next(run: RunView, change: Partial<RunView>): RunView {
  return { ...run, ...change, updatedAt: new Date(Date.parse(run.updatedAt) + 1).toISOString() };
}

const event = (type: EngineEventType, run: RunView, stepIdx?: number): EngineEvent => ({ type, at: run.updatedAt, actor: 'engine', stepIdx, detail: {}, run });

describe.each(dialects)('run messages (%s)', (dialect) => {
  let slack: SlackStandIn;
  let store: TestStore;
  let client: webApi.WebClient;

  const messagesFor = (s: Store, more: { updateBudget?: <T>(task: () => Promise<T>) => Promise<T>; latest?: (runId: string) => Promise<RunView | undefined> } = {}) => {
    const logger = createLogger({ level: 'silent' });
    const policy = loadConfig({ env: {}, readPolicy: () => POLICY }).policy;
    return new RunMessages({
      client,
      store: s,
      policy: new AccessPolicy(policy, slackUserGroups(client, { logger })),
      idempotency: storeIdempotency(s),
      planOf: () => null,
      approvalTimeoutMs: () => 4 * 3_600_000,
      logger,
      updateIntervalMs: INTERVAL,
      ...more,
    });
  };

  beforeAll(async () => {
    const workspace = new SlackWorkspace();
    seedWorkspace(workspace);
    slack = await startSlackStandIn({ workspace, botToken: BOT_TOKEN });
    client = new webApi.WebClient(BOT_TOKEN, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 }, logLevel: webApi.LogLevel.ERROR });
    store = await createTestStore(dialect);
  });
  afterAll(async () => {
    await slack.close();
    await store.dispose();
  });
  beforeEach(() => {
    slack.calls.length = 0;
  });

  it('posts the plan card and then the run message, and remembers both in the store', async () => {
    const messages = messagesFor(store.store);
    const run = newRun();
    messages.onEvent(event('run.created', run));
    await messages.flush();
    const [card, message] = slack.workspace.history(CHANNEL).slice(-2);
    expect(card?.text).toBe('Plan: pause acme-prod');
    expect(message?.text).toBe('pause acme-prod: running');
    const rows = await store.store.db.selectFrom('slack_messages').select(['key', 'ts']).where('key', 'in', [`plan:${run.id}`, `run:${run.id}`]).orderBy('key').execute();
    expect(rows).toEqual([
      { key: `plan:${run.id}`, ts: card?.ts },
      { key: `run:${run.id}`, ts: message?.ts },
    ]);
  });

  it('coalesces a burst of events into few edits, the last state winning, at most one round per interval', async () => {
    const messages = messagesFor(store.store);
    let run = newRun();
    messages.onEvent(event('run.created', run));
    await messages.flush();
    slack.calls.length = 0;
    for (let i = 1; i <= 50; i += 1) {
      run = next(run, { steps: [{ ...run.steps[0]!, progress: `state POLLING_DB_CHANGES, poll ${i}` }, ...run.steps.slice(1)] });
      messages.onEvent(event('step.progress', run, 0));
      if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, INTERVAL / 2));
    }
    await messages.flush();
    const updates = slack.callsTo('chat.update').filter((c) => c.args.ts !== undefined && String(c.args.text).startsWith('pause'));
    expect(updates.length).toBeGreaterThanOrEqual(1);
    expect(updates.length).toBeLessThanOrEqual(4);
    // At most one round per interval. Counted over the burst rather than gap by gap: the fake
    // Slack stamps arrivals, and on a loaded machine one request can arrive late and the next on time.
    const span = Date.parse(updates.at(-1)!.at) - Date.parse(updates[0]!.at);
    expect(updates.length - 1).toBeLessThanOrEqual(Math.ceil(span / INTERVAL));
    expect(JSON.stringify(updates.at(-1)?.args.blocks)).toContain('poll 50');
    // Nothing changed since: no edit.
    messages.show(run);
    await messages.flush();
    expect(slack.callsTo('chat.update')).toHaveLength(updates.length);
  });

  it('keeps at most one edit waiting per run while the chat.update budget holds edits back, and sends the last state', async () => {
    // The budget lets nothing through until released, as when 200 runs outrun Slack's tier 3.
    const held: Array<() => void> = [];
    const budget = <T>(task: () => Promise<T>) => new Promise<void>((resolve) => held.push(resolve)).then(task);
    // Each edit draws the run from the store when its turn comes: counted here.
    let edits = 0;
    const messages = messagesFor(store.store, { updateBudget: budget, latest: async () => void (edits += 1) });
    let run = newRun();
    messages.onEvent(event('run.created', run));
    const first = messages.flush();
    const releaseFirst = setInterval(() => held.splice(0).forEach((r) => r()), 10);
    await first;
    clearInterval(releaseFirst);
    slack.calls.length = 0;
    edits = 0;
    for (let i = 1; i <= 12; i += 1) {
      run = next(run, { steps: [{ ...run.steps[0]!, progress: `poll ${i}` }, ...run.steps.slice(1)] });
      messages.onEvent(event('step.progress', run, 0));
      await new Promise((resolve) => setTimeout(resolve, INTERVAL * 1.5));
      // Released once, midway: the edit under way goes out, the next one waits again.
      if (i === 6) held.splice(0).forEach((release) => release());
    }
    const flushed = messages.flush();
    const release = setInterval(() => held.splice(0).forEach((r) => r()), 10);
    await flushed;
    clearInterval(release);
    // One edit under way and at most one waiting, whatever the number of events (12 here).
    expect(edits).toBeLessThanOrEqual(4);
    const updates = slack.callsTo('chat.update').filter((c) => String(c.args.text).startsWith('pause'));
    expect(updates.length).toBeLessThanOrEqual(3);
    expect(JSON.stringify(updates.at(-1)?.args.blocks)).toContain('poll 12');
  });

  it('replies in the thread once for what needs a human, even when the engine says it again', async () => {
    const messages = messagesFor(store.store);
    let run = newRun();
    run = next(run, { status: 'awaiting_approval', steps: [{ ...run.steps[0]!, status: 'done' }, { ...run.steps[1]!, status: 'held', startedAt: run.updatedAt }, run.steps[2]!] });
    messages.onEvent(event('approval.requested', run, 1));
    messages.onEvent(event('approval.requested', run, 1));
    run = next(run, { status: 'awaiting_manual', steps: [run.steps[0]!, { ...run.steps[1]!, status: 'done' }, { ...run.steps[2]!, status: 'held', instructions: 'Authorize Salesforce in the dashboard.' }] });
    messages.onEvent(event('manual.requested', run, 2));
    await messages.flush();

    const parent = slack.workspace.history(CHANNEL).at(-1)!;
    const replies = slack.workspace.replies(CHANNEL, parent.ts);
    expect(replies.map((r) => r.text)).toEqual(['Approval wanted: pause acme-prod', 'Manual step: Log in to Salesforce']);
    expect(JSON.stringify(replies[0]?.blocks)).toContain('<@U02APPROVER>, <@U03APPROVER>, <!subteam^S0DBALEADS|@dba-leads>');
    expect(buttonsOf(replies[1]!.blocks).map((b) => [b.action_id, JSON.parse(b.value ?? '{}')])).toEqual([['manual_done', { r: run.id, s: 2, h: run.planHash }]]);

    // A restarted bot: the same messages are edited, nothing is posted twice.
    const restarted = messagesFor(await store.reopen());
    const posts = slack.callsTo('chat.postMessage').length;
    run = next(run, { status: 'succeeded', finishedAt: new Date().toISOString(), steps: run.steps.map((s) => ({ ...s, status: 'done' as const })) });
    restarted.onEvent(event('manual.requested', run, 2));
    restarted.onEvent(event('run.finished', run));
    await restarted.flush();
    expect(slack.callsTo('chat.postMessage')).toHaveLength(posts + 1);
    expect(slack.workspace.replies(CHANNEL, parent.ts).at(-1)?.text).toBe('pause acme-prod: succeeded');
    expect(slack.workspace.message(CHANNEL, parent.ts)?.text).toBe('pause acme-prod: succeeded');
  });

  it('never throws at the engine when Slack fails, and catches up with the next event', async () => {
    const messages = messagesFor(store.store);
    let run = newRun();
    slack.failNext('chat.postMessage', 'ratelimited');
    expect(() => messages.onEvent(event('run.created', run))).not.toThrow();
    await messages.flush();
    run = next(run, { status: 'cancelled', finishedAt: new Date().toISOString() });
    messages.onEvent(event('run.cancel_requested', run));
    await messages.flush();
    const posted = slack.workspace.history(CHANNEL).filter((m) => JSON.stringify(m.blocks).includes(run.id));
    expect(posted.map((m) => m.text)).toEqual(['Plan: pause acme-prod', 'pause acme-prod: cancelled']);
  });
});
