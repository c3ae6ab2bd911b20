import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRunReader, isFinished, type RunView } from '../../src/ops/engine/index.js';
import { runbooks } from '../../src/ops/runbooks/index.js';
import { startSimulatedHeroku, type SimulatedHeroku } from '../../src/sandbox/heroku/index.js';
import { SlackDriver, SlackWorkspace, startSlackStandIn, type SlackStandIn } from '../../src/sandbox/slack/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { BOT_TOKEN, CHANNEL, POLICY, seedWorkspace, SIGNING_SECRET, USERS } from '../bot/support/harness.js';
import { startBotProcess, type BotProcess } from './support/bot-process.js';

/**
 * Issue 15, part 5: `connect-ops start` boots and stops as a Heroku web process must, with the
 * embedded store, processes started one after another on one data folder as Heroku restarts a dyno:
 * - a new process (preboot: the old one still holds the engine lease) binds `$PORT` and answers
 *   `/healthz` and a signed approval click while its engine waits; the click is recorded, and acted
 *   on once the old process has stopped (SIGTERM) and the new one took over;
 * - SIGTERM while the run waits, and SIGTERM while its mutation's answer never comes (the simulated
 *   Heroku's `hang` fault): each process exits within Heroku's 25 s (SIGKILL comes at 30 s), a
 *   restart finishes the run, and the mutation reached Heroku once.
 */

const TIME_SCALE = 30;
/** Heroku sends SIGKILL 30 s after SIGTERM; the contract is to be gone well before. */
const EXIT_WITHIN_MS = 25_000;
const PAUSE_PATH = '^/api/v3/connections/[^/]+/actions/pause$';
/** Requests that change nothing: name resolution, the Connect access list, a Salesforce login link. */
const NOT_MUTATIONS = /^\/actions\/addon(-attachment)?s\/resolve$|^\/auth\/|\/authorize_url$/;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

async function eventually<T>(find: () => Promise<T | undefined> | T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await find();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: nothing turned up within ${timeoutMs} ms`);
    await sleep(100);
  }
}

describe('connect-ops start boots and stops like a Heroku process (embedded store)', () => {
  let sim: SimulatedHeroku;
  let slack: SlackStandIn;
  let workspace: SlackWorkspace;
  let dir: string;
  let store: Store | undefined;
  const processes: BotProcess[] = [];

  const start = async (until: 'listening' | 'running' = 'running', env: Record<string, string> = {}) => {
    const bot = await startBotProcess({
      dir,
      until,
      policy: POLICY,
      env: {
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.apiUrl,
        HEROKU_API_KEY: sim.token,
        HEROKU_API_URL: sim.url,
        HEROKU_DATA_API_URL: sim.url,
        HEROKU_CONNECT_DISCOVERY_URL: sim.url,
        HEROKU_STATUS_URL: sim.url,
        SALESFORCE_TRUST_URL: `${sim.url}/v1`,
        CONNECT_OPS_TIME_SCALE: String(TIME_SCALE),
        ...env,
      },
    });
    processes.push(bot);
    return bot;
  };
  const driverOf = (bot: BotProcess) => new SlackDriver({ eventsUrl: bot.eventsUrl, signingSecret: SIGNING_SECRET, standInUrl: slack.url });
  const health = async (bot: BotProcess) => {
    const response = await fetch(`${bot.baseUrl}/healthz`);
    return { status: response.status, body: (await response.json()) as { ok: boolean; engine?: string } };
  };
  /** SIGTERM, as Heroku sends it; resolves with how long the process took to exit and its exit. */
  const sigterm = async (bot: BotProcess) => {
    const sent = Date.now();
    bot.child.kill('SIGTERM');
    const killer = setTimeout(() => bot.child.kill('SIGKILL'), 30_000);
    const exit = await bot.exit;
    clearTimeout(killer);
    return { ms: Date.now() - sent, ...exit };
  };

  beforeAll(async () => {
    sim = await startSimulatedHeroku({ timeScale: TIME_SCALE });
    workspace = new SlackWorkspace();
    seedWorkspace(workspace);
    slack = await startSlackStandIn({ workspace, botToken: BOT_TOKEN });
    dir = mkdtempSync(join(tmpdir(), 'connect-ops-boot-'));
  });

  afterAll(async () => {
    for (const bot of processes) await bot.stop();
    await store?.close();
    await slack?.close();
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('serves Slack while waiting for the old process’s lease, then takes over; SIGTERM mid-wait and mid-action, restart: the runs finish, each pause sent once', async () => {
    const old = await start();
    store = await openStore({ dataDir: join(dir, 'data') });
    const reader = createRunReader({ store, runbooks, timeScale: TIME_SCALE });
    expect((await health(old)).body).toEqual({ ok: true, engine: 'running' });
    // Run B, acme-staging, on the old process: waits for IDLE until the test lets it go.
    sim.setFaults({ stuckPolling: ['acme-staging'] });
    expect((await driverOf(old).command({ user: USERS.operator, channel: 'C0STAGING00', text: 'pause acme-staging' })).status).toBe(200);
    const runB = await eventually(
      async () => {
        const [found] = await reader.listRuns({ app: 'acme-staging', limit: 1 });
        return currentStep(found, 'Wait until Heroku Connect is IDLE') && found;
      },
      30_000,
      'run B waiting for IDLE',
    );

    // (a) A new process while the old one runs (Heroku preboot): it binds $PORT before it has
    // loaded the bot, and answers /healthz; a command sent then is held until the bot is up.
    const port = await freePort();
    const spawned = Date.now();
    const booting = start('listening', { PORT: String(port) });
    const early = await eventually(
      () =>
        fetch(`http://127.0.0.1:${port}/healthz`).then(
          async (r) => (r.status === 200 ? ((await r.json()) as unknown) : undefined),
          () => undefined,
        ),
      30_000,
      'the new process’s /healthz',
    );
    const healthAfterMs = Date.now() - spawned;
    expect(early).toEqual({ ok: true, engine: 'starting' });
    // Run A, acme-prod, asked of the new process while its engine waits for the lease: recorded, not driven.
    const command = new SlackDriver({ eventsUrl: `http://127.0.0.1:${port}/slack/events`, signingSecret: SIGNING_SECRET, standInUrl: slack.url }).command({
      user: USERS.operator,
      channel: CHANNEL,
      text: 'pause acme-prod',
    });
    const next = await booting;
    expect((await health(next)).body).toEqual({ ok: true, engine: 'starting' });
    expect((await command).status).toBe(200);
    const runA = await eventually(async () => (await reader.listRuns({ app: 'acme-prod', limit: 1 }))[0], 15_000, 'run A recorded');
    expect(runA.status).toBe('pending');
    expect(runA.steps.every((s) => s.status === 'pending')).toBe(true);
    expect((await health(next)).body.engine).toBe('starting');
    expect(next.logs.some((l) => l.msg === 'connect-ops is running')).toBe(false);

    // (b) The old process stops as Heroku stops it, run B mid-wait; the new one takes over and
    // drives run A: its pause goes out, and its answer is lost (the pause takes effect).
    sim.setFaults({ hang: { method: 'POST', path: PAUSE_PATH, count: 1 } });
    const midWait = await sigterm(old);
    expect(midWait.ms).toBeLessThanOrEqual(EXIT_WITHIN_MS);
    expect(midWait.code).toBe(0);
    await next.logged('connect-ops is running', 30_000);
    expect((await health(next)).body.engine).toBe('running');

    // (c) SIGTERM while run A's pause hangs (and run B still waits).
    await eventually(() => sim.requests().find((e) => e.method === 'POST' && new RegExp(PAUSE_PATH).test(e.path)), 30_000, 'run A’s pause sent');
    expect(currentStep(await reader.getRun(runA.id), 'Pause Heroku Connect')).toBeDefined();
    expect(currentStep(await reader.getRun(runB.id), 'Wait until Heroku Connect is IDLE')).toBeDefined();
    const midAction = await sigterm(next);
    expect(midAction.ms).toBeLessThanOrEqual(EXIT_WITHIN_MS);

    // Restart: run A's pause is probed, found in effect and not sent again; run B goes on once IDLE.
    sim.setFaults({ stuckPolling: [] });
    await start();
    for (const run of [runA, runB]) {
      const finished = await eventually(async () => {
        const view = await reader.getRun(run.id);
        return view && isFinished(view.status) ? view : undefined;
      }, 90_000, `run ${run.app} finished`);
      expect([run.app, finished.status, finished.error]).toEqual([run.app, 'succeeded', undefined]);
      // Each restart picked the run up.
      expect((await reader.auditTrail(run.id)).filter((e) => e.type === 'run.resumed').length).toBeGreaterThanOrEqual(2);
    }

    // Each mutation once: one pause per connection, and no other write twice.
    const writes = new Map<string, number>();
    for (const entry of sim.requests()) {
      if (entry.method === 'GET' || entry.status >= 300 || NOT_MUTATIONS.test(entry.path)) continue;
      const key = `${entry.method} ${entry.path} ${JSON.stringify(entry.body ?? null)}`;
      writes.set(key, (writes.get(key) ?? 0) + 1);
    }
    expect([...writes].filter(([key]) => /actions\/pause/.test(key)).map(([, n]) => n)).toEqual([1, 1]);
    expect([...writes].filter(([, n]) => n > 1)).toEqual([]);
    process.stdout.write(`boot-and-shutdown: /healthz answered ${healthAfterMs} ms after spawn; SIGTERM to exit: ${midWait.ms} ms (mid-wait), ${midAction.ms} ms (mid-action)\n`);

  }, 300_000);
});

/** The run's first unsettled step, when its title is `title`. */
function currentStep(run: RunView | undefined, title: string) {
  const step = run?.steps.find((s) => s.status !== 'done' && s.status !== 'skipped');
  return step?.title === title ? step : undefined;
}
