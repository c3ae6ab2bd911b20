/**
 * connect-ops' bot as `src/main.ts` composes it for Slack and runs (store, limits, Heroku clients,
 * Bolt over HTTP, the engine with the bot's run messages as its observer), compiled (dist/, as
 * `connect-ops start` runs it: under tsx the same process holds ~70 MB more) and in a process of
 * its own, so that its memory and event loop are measured alone; the watchers and /metrics are
 * left out. It keeps `concurrency` runs going on the simulated Heroku (another process) until its
 * plan is done, playing the person at manual steps. The messages: ./loaded-bot-protocol.ts.
 *
 * Heroku's budget is the simulated one's (4,500 an hour, refilled in simulated minutes), as in
 * bench/engine.ts: at time scale 600 the real limiter's refill would starve the runs within seconds.
 *
 * Plain JavaScript so that no TypeScript loader runs in the process measured; `npm run build` first.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setImmediate } from 'node:timers';
import { setFlagsFromString, writeHeapSnapshot } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pino from 'pino';

const dist = new URL('../../dist/', import.meta.url);
const from = (path) => import(new URL(path, dist).href);
const [{ appStatusForSlack }, { createBot }, { loadConfig }, { createLogger }, { appStatus }, { createEngine }, { createHerokuClients }, { createLimits }, { runbooks }, { openStore }] =
  await Promise.all([
    from('app-status-for-slack.js'),
    from('bot/app.js'),
    from('config.js'),
    from('log.js'),
    from('ops/app-status.js'),
    from('ops/engine/index.js'),
    from('ops/heroku/clients.js'),
    from('ops/limits.js'),
    from('ops/runbooks/index.js'),
    from('store/index.js'),
  ]);

/** @param {import('./loaded-bot-protocol.ts').FromLoadedBot} message */
const send = (message) => process.send?.(message);
const mb = (bytes) => bytes / 2 ** 20;

// A full GC when asked, to measure what is retained (not what merely awaits collection).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');
/** @returns {import('./loaded-bot-protocol.ts').Memory} */
const collect = () => {
  gc();
  const { rss, heapUsed } = process.memoryUsage();
  return { rssMb: mb(rss), heapMb: mb(heapUsed) };
};

/** @param {import('./loaded-bot-protocol.ts').LoadedBotSetup} setup */
async function setUp(setup) {
  const dataDir = mkdtempSync(join(tmpdir(), 'connect-ops-loaded-bot-'));
  process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));
  const store = await openStore({ dataDir });
  // Logs as in production (info), written where they cost what a real destination costs but are not read.
  const logger = createLogger({ level: 'info', destination: pino.destination({ dest: '/dev/null', sync: false }) });
  const { timeScale, slack } = setup;
  const limits = createLimits({ timeScale, refillPerMinute: 75 * timeScale });
  const clients = createHerokuClients({ apiKey: setup.sim.token, apiUrl: setup.sim.url, dataApiUrl: setup.sim.url, connectDiscoveryUrl: setup.sim.url, limits, logger, timeScale });
  const config = loadConfig({
    env: { SLACK_BOT_TOKEN: slack.botToken, SLACK_SIGNING_SECRET: slack.signingSecret, SLACK_API_URL: `${setup.slackUrl}/api/`, PORT: '0', HEROKU_API_KEY: setup.sim.token, CONNECT_OPS_TIME_SCALE: String(timeScale) },
    require: ['slack'],
    readPolicy: () => `apps: {${setup.statusApp}: {channel: ${slack.channel}, operators: [${slack.user}], approvers: [U0APPROVER]}}`,
  });
  const built = {};
  const bot = createBot({
    config,
    engine: () => built.engine,
    store,
    logger,
    botIdentity: { botId: 'B0BOT', botUserId: 'U0BOT' },
    slackRetry: { retries: 0 },
    // No chat.update budget: Slack's tier 3 (50 edits a minute) is real time, and at time scale 600
    // it would hold back 600 times the edits real runs make, a backlog that grows with every run.
    // One simulated person sends every request: measure the ack, not the per-person rate.
    admission: { commandsPerMinute: 1_000_000, read: { maxWaiting: 1_000_000 } },
    ports: { appStatus: async (app) => appStatusForSlack(await appStatus(clients, app)), upcomingWindows: async () => [] },
  });
  /** @type {Map<string, (event: any) => void>} */
  const onEvent = new Map();
  const engine = createEngine({
    store,
    runbooks,
    // Every run's app is in the policy (the cutover guard refuses databases attached to apps it does not name).
    deps: { ...clients, policyApps: [setup.statusApp, ...setup.runs.map((r) => r.app)] },
    logger,
    timeScale,
    observer: {
      onEvent(event) {
        bot.observer.onEvent(event);
        onEvent.get(event.type)?.(event);
      },
    },
  });
  built.engine = engine;
  await engine.resumeAll();
  await bot.start();
  return { engine, onEvent, eventsUrl: `http://127.0.0.1:${bot.port()}/slack/events` };
}

/**
 * Plays the person at a manual step: logs in to Salesforce when asked, aborts the loads add-column
 * asks to abort (Prep 7) on the simulated Heroku, and confirms (as bench/engine.ts does).
 */
async function completeManualStep(engine, simUrl, run, stepIdx) {
  const title = run.steps[stepIdx]?.title ?? '';
  if (/Salesforce/.test(title)) await fetch(`${simUrl}/__sandbox/salesforce-authorize/${run.app}`, { method: 'POST' });
  for (const object of /^Abort the initial load of (.+) in the new connection$/.exec(title)?.[1]?.split(', ') ?? []) {
    await fetch(`${simUrl}/__sandbox/mapping-abort/${run.app}/${object}`, { method: 'POST' });
  }
  await engine.completeManualStep({ runId: run.id, stepIdx, userId: 'U_BENCH' });
}

const loop = monitorEventLoopDelay({ resolution: 10 });
const peak = { rssMb: 0, heapMb: 0 };
const newBlock = () => ({ peak: { rssMb: 0, heapMb: 0 }, sum: { rssMb: 0, heapMb: 0 }, samples: 0 });
let block = newBlock();
setInterval(() => {
  const { rss, heapUsed } = process.memoryUsage();
  for (const into of [peak, block.peak]) {
    into.rssMb = Math.max(into.rssMb, mb(rss));
    into.heapMb = Math.max(into.heapMb, mb(heapUsed));
  }
  block.sum.rssMb += mb(rss);
  block.sum.heapMb += mb(heapUsed);
  block.samples += 1;
}, 100).unref();

let started = 0;
let finished = 0;
/** @type {string[]} */
const failed = [];

/** Starts the plan's runs, `concurrency` at a time: each finished run makes room for the next. */
function go(setup, { engine, onEvent }) {
  peak.rssMb = 0;
  peak.heapMb = 0;
  block = newBlock();
  loop.enable();
  const startNext = async () => {
    const planned = setup.runs[started];
    if (!planned) return;
    started += 1;
    try {
      await engine.start({ runbook: planned.runbook, app: planned.app, params: planned.params, requestedBy: 'U_BENCH', channel: setup.slack.channel, approvalsRequired: 0, approvalTimeoutMs: 3_600_000 });
    } catch (error) {
      failed.push(`${planned.runbook} on ${planned.app}: could not start: ${String(error)}`);
      setImmediate(() => void onFinished());
    }
    if (started === setup.concurrency) send({ type: 'running' });
  };
  const onFinished = async () => {
    finished += 1;
    if (finished % setup.blockSize === 0 || finished === setup.runs.length) {
      const { peak: blockPeak, sum, samples } = block;
      const retained = collect();
      const mean = { rssMb: sum.rssMb / Math.max(1, samples), heapMb: sum.heapMb / Math.max(1, samples) };
      // CONNECT_OPS_BENCH_HEAP_SNAPSHOTS=DIR: a heap snapshot at each block's end, to compare what is held.
      if (process.env.CONNECT_OPS_BENCH_HEAP_SNAPSHOTS) writeHeapSnapshot(join(process.env.CONNECT_OPS_BENCH_HEAP_SNAPSHOTS, `bot-${finished}.heapsnapshot`));
      send({ type: 'block', block: { finished, inFlight: started - finished, peak: blockPeak, mean, retained } });
      block = newBlock();
    }
    if (finished === setup.runs.length) send({ type: 'done' });
    else await startNext();
  };
  onEvent.set('manual.requested', (event) => {
    if (event.stepIdx !== undefined) setImmediate(() => void completeManualStep(engine, setup.sim.url, event.run, event.stepIdx).catch(() => undefined));
  });
  onEvent.set('run.finished', (event) => {
    const { run } = event;
    if (run.status !== 'succeeded') failed.push(`${run.runbook} on ${run.app}: ${run.status} ${run.error?.code ?? ''} at ${run.error?.stepTitle ?? ''}: ${run.error?.message ?? ''}`);
    void onFinished();
  });
  for (let i = 0; i < setup.concurrency; i++) void startNext();
}

let setup;
let composed;
process.on('message', (/** @type {import('./loaded-bot-protocol.ts').ToLoadedBot} */ message) => {
  if (message.type === 'setup') {
    setup = message;
    void setUp(message).then((c) => {
      composed = c;
      send({ type: 'ready', eventsUrl: c.eventsUrl, idle: collect() });
    });
  } else if (message.type === 'go') {
    go(setup, composed);
  } else if (message.type === 'report') {
    const ms = (ns) => ns / 1e6;
    send({ type: 'report', started, finished, failed, peak: { ...peak }, loopDelayMs: { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) } });
    loop.reset();
  } else {
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
