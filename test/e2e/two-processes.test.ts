import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRunReader, isFinished, type AuditEvent, type RunView } from '../../src/ops/engine/index.js';
import { runbooks } from '../../src/ops/runbooks/index.js';
import { buttonsOf, type SlackMessage } from '../../src/sandbox/slack/index.js';
import { startReplicaWorld, type Replica, type ReplicaWorld } from '../../bench/support/replicas.js';
import { CHANNEL, USERS } from '../bot/support/harness.js';
import { postgresAvailable, redisUrl } from '../support/backends.js';
import { builtCli } from '../support/cli.js';
import { startSlackTap, type SlackTap, type TappedCall } from './support/slack-tap.js';

/**
 * `npm start` twice (the built command, `node bin/connect-ops.js start`, dist/ checked current) on one DATABASE_URL, each on its own PORT (issue 13, "Done when"): both serve
 * Slack and both drive runs. Runs are started through each process and approved on the other; the
 * audit trail names the process that wrote each event, which shows who drove which step. Each
 * process reaches Slack through a tap that holds every chat.update a while, so edits of one run's
 * messages by the two processes would overlap if the edit lock (store/lock.ts) did not keep them apart.
 */

const TIME_SCALE = 300;
const UPDATE_DELAY_MS = 150;
const available = await postgresAvailable();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Upgrades ask two approvers: each clicks on another process, at the same moment, and both edit the card. */
const RUNS = [
  { app: 'two-a1', via: 'web.1', command: 'upgrade two-a1 --version 17' },
  { app: 'two-a2', via: 'web.1', command: 'plan-change two-a2 standard-2' },
  { app: 'two-a3', via: 'web.1', command: 'reload two-a3 Account' },
  { app: 'two-b1', via: 'web.2', command: 'upgrade two-b1 --version 17' },
  { app: 'two-b2', via: 'web.2', command: 'plan-change two-b2 standard-2' },
  { app: 'two-b3', via: 'web.2', command: 'reload two-b3 Account' },
];

(available ? describe : describe.skip)('two bot processes on one Postgres (npm start twice)', () => {
  let world: ReplicaWorld;
  const calls: TappedCall[] = [];
  const taps: SlackTap[] = [];
  const byName = new Map<string, Replica>();

  beforeAll(async () => {
    // With REDIS_URL, as `heroku ps:scale web=2` with Heroku Redis runs: the limiters (Heroku's bucket,
    // Slack's chat.update budget) are shared through Redis, at a time scale (issue 13 part 5: the bot
    // sent no Heroku request at all with REDIS_URL and CONNECT_OPS_TIME_SCALE=600).
    world = await startReplicaWorld({ timeScale: TIME_SCALE, apps: RUNS.map((r) => ({ name: r.app, kind: 'connect' as const })), approvals: { default: 1, upgrade: 2 }, env: { REDIS_URL: redisUrl }, cli: await builtCli() });
    for (const name of ['web.1', 'web.2']) {
      const tap = await startSlackTap({ process: name, apiUrl: world.slack.apiUrl, calls, updateDelayMs: UPDATE_DELAY_MS });
      taps.push(tap);
      byName.set(name, await world.start(name, { SLACK_API_URL: tap.apiUrl }));
    }
  }, 120_000);
  afterAll(async () => {
    await world?.close();
    for (const tap of taps) await tap.close();
  }, 60_000);

  it('listens on two ports and answers a command on either', async () => {
    const [one, two] = [byName.get('web.1')!, byName.get('web.2')!];
    expect(one.port).not.toBe(two.port);
    // The compiled command `npm start` runs, not the sources through tsx.
    for (const replica of [one, two]) expect(replica.child.spawnargs.slice(1)).toEqual([expect.stringMatching(/bin\/connect-ops\.js$/), 'start']);
    for (const [i, replica] of [one, two].entries()) {
      const help = await replica.driver.command({ user: USERS.operator, channel: CHANNEL, text: 'help' });
      expect(help.status).toBe(200);
      // Each process answers its own command (privately, through the command's response_url).
      const answers = await world.workspace.waitFor(() => {
        const found = world.workspace.ephemerals({ user: USERS.operator }).filter((e) => /\/connect commands/.test(e.text));
        return found.length > i ? found : undefined;
      }, 15_000);
      expect(JSON.stringify(answers[i]!.blocks)).toContain('/connect upgrade APP');
    }
  });

  it('drives runs started through either process on both, one process editing a run’s messages at a time', async () => {
    const reader = createRunReader({ store: world.store, runbooks, timeScale: TIME_SCALE });
    for (const run of RUNS) {
      const sent = await byName.get(run.via)!.driver.command({ user: USERS.operator, channel: CHANNEL, text: run.command });
      expect(sent.status).toBe(200);
    }
    const ids = new Map<string, string>();
    const approved = new Set<string>();
    const deadline = Date.now() + 5 * 60_000;
    for (;;) {
      for (const run of RUNS) {
        if (ids.has(run.app)) continue;
        const [found] = await reader.listRuns({ app: run.app, limit: 1 });
        if (found) ids.set(run.app, found.id);
      }
      const views = (await Promise.all([...ids.values()].map((id) => reader.getRun(id)))).filter((v): v is RunView => v !== undefined);
      for (const view of views) {
        if (view.status !== 'awaiting_approval' || approved.has(view.id)) continue;
        const card = await planCard(view.id);
        if (!card) continue;
        approved.add(view.id);
        // Approved on the process that did not start it; a second approver at once on the other one.
        const via = RUNS.find((r) => r.app === view.app)!.via;
        const other = via === 'web.1' ? 'web.2' : 'web.1';
        const clicks = [byName.get(other)!.driver.click({ user: USERS.approver, message: card, actionId: 'approve' })];
        if (view.approvalsRequired > 1) clicks.push(byName.get(via)!.driver.click({ user: USERS.approver2, message: card, actionId: 'approve' }));
        for (const click of await Promise.all(clicks)) expect(click.status).toBe(200);
      }
      if (views.length === RUNS.length && views.every((v) => isFinished(v.status))) break;
      if (Date.now() > deadline) throw new Error(`runs not finished: ${JSON.stringify(views.map((v) => [v.app, v.status]))}`);
      await sleep(200);
    }

    // Every run succeeded, and each was created by the process it was started through.
    const trails = new Map<string, AuditEvent[]>();
    for (const run of RUNS) {
      const view = (await reader.getRun(ids.get(run.app)!))!;
      expect({ app: run.app, status: view.status }).toEqual({ app: run.app, status: 'succeeded' });
      const trail = await reader.auditTrail(view.id);
      trails.set(run.app, trail);
      expect(trail.find((e) => e.type === 'run.created')?.detail.process).toBe(run.via);
    }
    // Which process drove which step: both processes drove steps of runs started through each.
    const drove = new Set<string>();
    for (const run of RUNS) {
      for (const event of trails.get(run.app)!) {
        if (event.actor === 'engine' && event.type.startsWith('step.')) drove.add(`${run.via} → ${String(event.detail.process)}`);
      }
    }
    expect([...drove].sort()).toEqual(['web.1 → web.1', 'web.1 → web.2', 'web.2 → web.1', 'web.2 → web.2']);
    // Each approval was recorded by the process that got its click.
    for (const run of RUNS.filter((r) => !r.command.startsWith('reload'))) {
      const other = run.via === 'web.1' ? 'web.2' : 'web.1';
      const recorded = trails.get(run.app)!.filter((e) => e.type === 'approval.recorded');
      expect(recorded.find((e) => e.actor === USERS.approver)?.detail.process).toBe(other);
      if (run.command.startsWith('upgrade')) expect(recorded.find((e) => e.actor === USERS.approver2)?.detail.process).toBe(run.via);
    }

    // One process at a time edits a run's messages: no two chat.update of one run overlap, though
    // each was held 150 ms and both processes edited the same messages.
    const messagesOf = new Map<string, string>();
    for (const row of await world.store.db.selectFrom('slack_messages').selectAll().execute()) {
      const runId = /^(?:plan|run):(.+)$/.exec(row.key)?.[1];
      if (runId) messagesOf.set(`${row.channel}:${row.ts}`, runId);
    }
    const updates = calls.filter((c) => c.method === 'chat.update' && messagesOf.has(`${c.channel}:${c.ts}`));
    const perRun = new Map<string, TappedCall[]>();
    for (const update of updates) {
      const runId = messagesOf.get(`${update.channel}:${update.ts}`)!;
      perRun.set(runId, [...(perRun.get(runId) ?? []), update]);
    }
    const overlaps: string[] = [];
    let editedByBoth = 0;
    for (const [runId, edits] of perRun) {
      const sorted = [...edits].sort((a, b) => a.start - b.start);
      for (let i = 1; i < sorted.length; i++) {
        if (sorted[i]!.start < sorted[i - 1]!.end) overlaps.push(`${runId}: ${sorted[i - 1]!.process} ${sorted[i - 1]!.ts} and ${sorted[i]!.process} ${sorted[i]!.ts}`);
      }
      if (new Set(edits.map((e) => e.process)).size === 2) editedByBoth++;
    }
    expect(overlaps).toEqual([]);
    expect(editedByBoth).toBeGreaterThanOrEqual(2);

    // One chat.update budget for the workspace across both processes (Tier 3, 50 a minute, a bucket
    // of 50 refilled 50 a minute): in any minute both together started at most 50 + 50 edits.
    const edits = calls.filter((c) => c.method === 'chat.update').map((c) => c.start).sort((a, b) => a - b);
    const busiestMinute = Math.max(0, ...edits.map((t, i) => edits.slice(i).filter((u) => u < t + 60_000).length));
    console.log(`chat.update: ${edits.length} edits by two processes sharing one budget through Redis; busiest minute ${busiestMinute}`);
    expect(busiestMinute).toBeLessThanOrEqual(100);
    // And the bot with REDIS_URL at a time scale sent Heroku its requests (every run above succeeded).
    expect(world.sim.requests().filter((r) => r.method === 'POST').length).toBeGreaterThan(0);
  }, 8 * 60_000);

  async function planCard(runId: string): Promise<SlackMessage | undefined> {
    const row = await world.store.db.selectFrom('slack_messages').selectAll().where('key', '=', `plan:${runId}`).executeTakeFirst();
    const message = row && world.workspace.message(row.channel, row.ts);
    return message && buttonsOf(message.blocks).some((b) => b.action_id === 'approve') ? message : undefined;
  }
});
