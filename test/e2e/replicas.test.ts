import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRunReader, isFinished, type RunView } from '../../src/ops/engine/index.js';
import { runbooks } from '../../src/ops/runbooks/index.js';
import { buttonsOf } from '../../src/sandbox/slack/index.js';
import type { AppKind } from '../../bench/support/engine-apps.js';
import { CHANNEL, MAINTENANCE_CHANNEL, USERS } from '../bot/support/harness.js';
import { postgresAvailable } from '../support/backends.js';
import { startReplicaWorld, type Replica, type ReplicaWorld } from '../../bench/support/replicas.js';

/**
 * Three bot processes (`connect-ops start`) on one Postgres, as `heroku ps:scale web=3` runs them:
 * 30 runs of mixed runbooks started through all three, approvals clicked on any of them (some
 * delivered twice, to two processes), and one process SIGKILLed at a random point mid-run, twice
 * (a fresh one started each time, as Heroku restarts a dyno). Every run finishes, each mutation
 * reaches the simulated Heroku once, no run stays idle a minute after a kill, every approval counts
 * once, and each maintenance notice is posted once.
 */

const TIME_SCALE = 300;
const MINUTE = 60_000;
const available = await postgresAvailable();

const SCENARIOS: Array<{ runbook: string; kind: AppKind; command: (app: string) => string }> = [
  { runbook: 'pause', kind: 'connect', command: (app) => `pause ${app}` },
  { runbook: 'resume', kind: 'paused', command: (app) => `resume ${app}` },
  { runbook: 'plan-change', kind: 'connect', command: (app) => `plan-change ${app} standard-2` },
  { runbook: 'reload', kind: 'connect', command: (app) => `reload ${app} Account` },
  { runbook: 'field-change', kind: 'connect', command: (app) => `field-change ${app} Account Name --type-change` },
  { runbook: 'upgrade', kind: 'connect', command: (app) => `upgrade ${app} --version 17` },
];
const RUNS = Array.from({ length: 30 }, (_, i) => {
  const scenario = SCENARIOS[i % SCENARIOS.length]!;
  return { ...scenario, app: `rep-${scenario.runbook.replace(/[^a-z]/g, '')}-${String(i).padStart(2, '0')}` };
});
/** Requests that change nothing: name resolution, the Connect access list, a Salesforce login link. */
const NOT_MUTATIONS = /^\/actions\/addon(-attachment)?s\/resolve$|^\/auth\/|\/authorize_url$/;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)]!;

(available ? describe : describe.skip)('three replicas on one Postgres', () => {
  let world: ReplicaWorld;

  beforeAll(async () => {
    world = await startReplicaWorld({ timeScale: TIME_SCALE, apps: RUNS.map((r) => ({ name: r.app, kind: r.kind })), approvals: { default: 1, upgrade: 2 } });
    await Promise.all(['web.1', 'web.2', 'web.3'].map((name) => world.start(name)));
  }, 120_000);
  afterAll(async () => {
    await world?.close();
  }, 60_000);

  it('finishes 30 runs across SIGKILLs, each mutation once, approvals and notices once', async () => {
    const reader = createRunReader({ store: world.store, runbooks, timeScale: TIME_SCALE });
    // Two maintenance notices, announced before the watcher's first tick.
    const now = world.sim.world.clock.now();
    for (const hours of [30, 50]) world.sim.notices.announce({ window: { start: now + hours * 60 * MINUTE, end: now + (hours + 1) * 60 * MINUTE }, region: 'virginia', tags: ['NA'] });

    // Every run started through one of the three processes, in turn.
    for (const [i, run] of RUNS.entries()) {
      const replica = world.replicas[i % world.replicas.length]!;
      const sent = await replica.driver.command({ user: USERS.operator, channel: CHANNEL, text: run.command(run.app) });
      expect(sent.status).toBe(200);
    }
    const runIds = new Map<string, string>();
    const deadline = Date.now() + 8 * MINUTE;
    const lastChange = new Map<string, { at: number; updatedAt: string; status: string }>();
    const idle: Array<{ runId: string; ms: number; status: string }> = [];
    const kills: number[] = [];
    const clicked = new Map<string, Replica>();
    let killAt = Date.now() + 5_000 + Math.random() * 10_000;

    for (;;) {
      for (const run of RUNS) {
        if (runIds.has(run.app)) continue;
        const [found] = await reader.listRuns({ app: run.app, limit: 1 });
        if (found) runIds.set(run.app, found.id);
      }
      const views = (await Promise.all([...runIds.values()].map((id) => reader.getRun(id)))).filter((v): v is RunView => v !== undefined);
      for (const view of views) {
        const seen = lastChange.get(view.id);
        const held = ['awaiting_approval', 'awaiting_manual', 'scheduled', 'held_for_maintenance'].includes(view.status) || isFinished(view.status);
        if (!seen || seen.updatedAt !== view.updatedAt) lastChange.set(view.id, { at: Date.now(), updatedAt: view.updatedAt, status: view.status });
        else if (!held && Date.now() - seen.at > MINUTE) idle.push({ runId: view.id, ms: Date.now() - seen.at, status: view.status });
        if (held) lastChange.set(view.id, { at: Date.now(), updatedAt: view.updatedAt, status: view.status });
        if (view.status === 'awaiting_approval') await approve(view, clicked);
      }
      if (views.length === RUNS.length && views.every((v) => isFinished(v.status))) break;
      if (Date.now() > deadline) throw new Error(`runs not finished: ${JSON.stringify(views.filter((v) => !isFinished(v.status)).map((v) => [v.runbook, v.status, v.steps.find((s) => s.status !== 'done')?.title]))}`);
      // SIGKILL one process at a random point, twice, and start a fresh one as Heroku would.
      if (kills.length < 2 && Date.now() >= killAt && views.some((v) => !isFinished(v.status))) {
        const victim = pick(world.replicas);
        await world.kill(victim);
        kills.push(Date.now());
        await world.start(`web.${4 + kills.length}`);
        killAt = Date.now() + 5_000 + Math.random() * 15_000;
      }
      await sleep(250);
    }
    expect(kills).toHaveLength(2);
    expect(idle).toEqual([]);

    // Every run finished: succeeded, or failed with the reason and what to do next.
    const finished = (await Promise.all([...runIds.values()].map((id) => reader.getRun(id)))) as RunView[];
    for (const run of finished) {
      if (run.status !== 'succeeded') expect({ id: run.id, status: run.status, error: run.error }).toMatchObject({ status: 'failed', error: { code: expect.any(String), next: expect.any(String) } });
    }
    expect(finished.filter((r) => r.status === 'succeeded').length).toBeGreaterThanOrEqual(RUNS.length - 2);

    // Each mutation once: no app received the same successful write twice.
    const writes = new Map<string, number>();
    for (const entry of world.sim.requests()) {
      if (entry.method === 'GET' || entry.status >= 300 || NOT_MUTATIONS.test(entry.path)) continue;
      const key = `${entry.method} ${entry.path} ${JSON.stringify(entry.body ?? null)}`;
      writes.set(key, (writes.get(key) ?? 0) + 1);
    }
    expect([...writes].filter(([, n]) => n > 1)).toEqual([]);
    expect(writes.size).toBeGreaterThan(RUNS.length);

    // Every approval counted once, whichever process got the click (some got it twice).
    let approved = 0;
    for (const run of finished.filter((r) => r.status === 'succeeded')) {
      const trail = await reader.auditTrail(run.id);
      // Runbooks without an approval step (pause, resume) ask for none.
      if (!trail.some((e) => e.type === 'approval.requested')) continue;
      approved++;
      const recorded = trail.filter((e) => e.type === 'approval.recorded');
      expect({ run: run.id, recorded: recorded.length }).toEqual({ run: run.id, recorded: run.approvalsRequired });
      expect(new Set(run.approvals.map((a) => a.userId)).size).toBe(run.approvals.length);
    }
    // plan-change and upgrade ask for approvals: 10 runs, two of which may fail truthfully.
    expect(approved).toBeGreaterThanOrEqual(RUNS.length / 3 - 2);

    // Each maintenance notice posted once, its reminder once, by whichever process ran the tick.
    const roots = await eventuallyValue(() => {
      const posted = world.workspace.history(MAINTENANCE_CHANNEL).filter((m) => !m.threadTs);
      return posted.length >= 2 ? posted : undefined;
    }, 2 * MINUTE);
    expect(roots).toHaveLength(2);
    for (const root of roots) {
      const texts = world.workspace.replies(MAINTENANCE_CHANNEL, root.ts).map((m) => m.text);
      expect(texts.length).toBe(new Set(texts).size);
    }
  }, 12 * MINUTE);

  /**
   * Approves a run once per approver it needs, on random processes; every other click is also sent
   * to a second process. A click acked by a process that was then killed before recording it is
   * lost, as in Slack: the approver clicks again (only then).
   */
  async function approve(run: RunView, clicked: Map<string, Replica>): Promise<void> {
    const card = await world.store.db.selectFrom('slack_messages').selectAll().where('key', '=', `plan:${run.id}`).executeTakeFirst();
    const message = card && world.workspace.message(card.channel, card.ts);
    if (!message || !buttonsOf(message.blocks).some((b) => b.action_id === 'approve')) return;
    for (const user of [USERS.approver, USERS.approver2].slice(0, run.approvalsRequired)) {
      const key = `${run.id}:${user}`;
      const earlier = clicked.get(key);
      if (earlier && (world.replicas.includes(earlier) || run.approvals.some((a) => a.userId === user))) continue;
      const first = pick(world.replicas);
      clicked.set(key, first);
      const delivery = await first.driver.click({ user, message, actionId: 'approve' });
      if (clicked.size % 2 === 0) {
        const second: Replica = pick(world.replicas.filter((r) => r !== first).concat(first));
        await second.driver.click({ user, message, actionId: 'approve', triggerId: delivery.triggerId });
      }
    }
  }
});

async function eventuallyValue<T>(find: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = find();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('nothing turned up in time');
    await sleep(500);
  }
}
