import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { isFinished, type RunView } from '../../src/ops/engine/index.js';
import { runbooks } from '../../src/ops/runbooks/index.js';
import type { RunbookRegistry } from '../../src/ops/runbooks/runbook.js';
import type { SimulatedHeroku } from '../../src/sandbox/heroku/index.js';
import { buttonsOf, type SlackMessage } from '../../src/sandbox/slack/index.js';
import { startSandbox, type Sandbox } from '../support/simulated-heroku.js';
import { CHANNEL, startBotHarness, startedRunId, USERS, type BotHarness } from '../bot/support/harness.js';

/**
 * `/connect upgrade` from end to end, with nothing but the sandboxes: the real Bolt app over
 * signed HTTP, the Slack stand-in, a real store, the real engine and the real `upgrade` runbook
 * against the simulated Heroku. Simulated time runs 300 times faster than real time.
 */

// Room for a busy machine: a one-second stall is five simulated minutes, well inside every wait's timeout.
const TIME_SCALE = 300;
const HOUR = 3_600_000;

describe('/connect upgrade, end to end', () => {
  let sim: SimulatedHeroku;
  let heroku: Sandbox;
  let h: BotHarness;

  beforeAll(async () => {
    heroku = await startSandbox({ timeScale: TIME_SCALE, seed: 'default' });
    sim = heroku.sim;
    const clients = heroku.clients;
    h = await startBotHarness({
      runbooks: { registry: runbooks as RunbookRegistry<unknown>, deps: clients },
      engineTimeScale: TIME_SCALE,
      updateIntervalMs: 50,
    });
  });
  afterAll(async () => {
    await h.close();
    await heroku.close();
  });

  async function until(runId: string, holds: (run: RunView) => boolean, timeoutMs = 20_000): Promise<RunView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const run = await h.engine.getRun(runId);
      if (run && holds(run)) return run;
      if (!run || isFinished(run.status) || Date.now() > deadline) throw new Error(`run ${runId}: ${JSON.stringify(run?.error ?? run?.status)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async function click(user: string, message: SlackMessage, actionId: string): Promise<string> {
    const before = h.ephemerals(user).length;
    expect((await h.driver.click({ user, message, actionId })).status).toBe(200);
    return h.workspace.waitFor(() => h.ephemerals(user)[before]);
  }

  it('plans, collects two approvals (never the requester’s), upgrades acme-prod and shows every step', async () => {
    // The operator asks in the app's channel.
    const started = await h.command(USERS.operator, 'upgrade acme-prod --version 17');
    expect(started.ms).toBeLessThan(3000);
    const runId = startedRunId(await h.ephemeral(USERS.operator, /Started .*upgrade acme-prod/));
    const { card, message } = await h.messagesOf(runId);
    expect(JSON.stringify(card.blocks)).toContain('Needs 2 approvals');

    // Heroku prepares the upgrade (hours, skipped on the simulated clock), then the run waits for approval.
    await until(runId, (r) => r.steps.some((s) => s.status === 'waiting' && s.progress === 'preparing upgrade service'));
    sim.world.advance(4 * HOUR);
    const waiting = await until(runId, (r) => r.status === 'awaiting_approval');
    const open = await h.workspace.waitFor(() => {
      const current = h.workspace.message(CHANNEL, card.ts);
      return current && buttonsOf(current.blocks).length > 0 ? current : undefined;
    });

    // The requester is refused; two distinct approvers approve (one of them through @dba-leads).
    expect(await click(USERS.operator, open, 'approve')).toMatch(/^Only the approvers of `acme-prod` .* The request stays open\.$/);
    expect(await click(USERS.approver, open, 'approve')).toBe(`Your approval of \`${runId}\` is recorded: 1 of 2. More approvers are needed.`);
    expect(await click(USERS.dbaLead, open, 'approve')).toBe(`Approved: \`${runId}\` has its approvals and goes on.`);

    const done = await until(runId, (r) => isFinished(r.status), 30_000);
    expect(done.status).toBe('succeeded');
    expect(done.approvals.map((a) => a.userId)).toEqual([USERS.approver, USERS.dbaLead]);
    expect(done.downtime?.ms).toBeGreaterThan(0);
    const app = sim.world.apps.get('acme-prod');
    const attachment = [...sim.world.attachments.values()].find((a) => a.appId === app?.id && a.name === 'DATABASE');
    expect(sim.world.databases.get(attachment?.addonId ?? '')?.version).toBe(17);
    await h.bot.observer.flush();

    // The run message was edited in place as the steps went by, and ends with every step done.
    const edits = h.slack.callsTo('chat.update').filter((c) => c.args.ts === message.ts);
    expect(edits.length).toBeGreaterThan(3);
    const final = h.workspace.message(CHANNEL, message.ts)!;
    expect(final.text).toBe('upgrade acme-prod: succeeded');
    const shown = JSON.stringify(final.blocks);
    // Every step done, but those acme-prod has nothing for (no other app uses its database, no Scheduler): skipped, with the reason.
    const nothingToDo = /Heroku Scheduler|other apps/;
    for (const step of waiting.steps) {
      const mark = nothingToDo.test(step.title) ? 'fast_forward' : 'white_check_mark';
      expect(shown).toContain(`:${mark}: *${step.idx + 1}.* ${step.title}`);
    }
    expect(shown).toContain(':fast_forward: *14.* Disable the jobs in the Heroku Scheduler dashboard — skipped: no app that uses the database has Heroku Scheduler');
    expect(shown).toContain('*Downtime taken:*');
    // Earlier versions show the steps progressing: the wait for approval, then Heroku Connect paused.
    const versions = [...final.edits.map((v) => JSON.stringify(v.blocks)), shown];
    expect(versions.some((v) => v.includes('waiting for approval'))).toBe(true);
    expect(versions.some((v) => v.includes(':no_entry: Writes stopped since'))).toBe(true);

    // The thread asked the approvers and closed with the summary and the downtime actually taken.
    const thread = h.workspace.replies(CHANNEL, message.ts);
    expect(thread.map((m) => m.text)).toEqual(['Approval wanted: upgrade acme-prod', 'upgrade acme-prod: succeeded']);
    expect(JSON.stringify(thread[0]?.blocks)).toContain('<@U02APPROVER>, <@U03APPROVER>, <!subteam^S0DBALEADS|@dba-leads>');
    expect(JSON.stringify(thread[1]?.blocks)).toMatch(/\*Downtime taken:\* [^.]+ \(expected: [^)]+\)/);

    // The card records every decision.
    const decided = JSON.stringify(h.workspace.message(CHANNEL, card.ts)?.blocks);
    expect(decided).toMatch(/<@U02APPROVER> :white_check_mark: approved.*<@U06DBALEAD> :white_check_mark: approved/);
    // Nothing the stand-in refused: every message stayed within Block Kit's limits.
    expect(h.slack.calls.filter((c) => c.response.ok !== true)).toEqual([]);
  });
});

