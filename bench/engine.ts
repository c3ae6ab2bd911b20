/**
 * The engine under load: every runbook at 1, 10 and 200 concurrent runs, each run on an app of its
 * own in the simulated Heroku (which runs in a child process, bench/support/engine-sim.ts). A
 * concurrency below the number of runbooks runs in rounds of that many runs until every runbook has
 * run. Each figure is printed beside its baseline, measured from the same waits in the same run: the
 * same probes polled every 5 s from each wait's start, as the Heroku CLI does. Per runbook:
 *
 * - target 3, the cutover (writes stopped): the bot's share of it in real seconds (downtime minus
 *   what Heroku's operations took), its waits' lateness beside the CLI's, and the requests its
 *   waits sent beside the CLI's (≤ 0.5×);
 * - target 4, waits outside the cutover: the share that noticed their condition within 5 % of the
 *   wait's length (or 30 s), and their requests beside the CLI's (≤ 0.25×);
 * and per concurrency: how long a cutover's requests waited for the limiter beside other requests,
 * the event loop's delay, the account's peak requests in a simulated hour against Heroku's 4,500
 * (and any 429), and the bot process's peak memory.
 *
 *   npx tsx bench/engine.ts [--runs 1,10,200] [--runbooks upgrade,copy] [--pass-concurrency 16] [--time-scale 600 | 600,60,600] [--detail] [--database-url postgres://…]
 *   (--runbooks: only these runbooks, e.g. while iterating; --detail: each wait's figures too;
 *   --database-url: the bot's store on Postgres, a database of its own)
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createLogger } from '../src/log.js';
import { createEngine, type EngineEvent, type RunView } from '../src/ops/engine/index.js';
import { createHerokuClients } from '../src/ops/heroku/clients.js';
import { createLimits, type Limiter } from '../src/ops/limits.js';
import { ambientPriority } from '../src/ops/request-priority.js';
import type { RunbookDeps } from '../src/ops/runbooks/deps.js';
import { runbooks } from '../src/ops/runbooks/index.js';
import { runbookRegistry, type Runbook } from '../src/ops/runbooks/runbook.js';
import { openStore } from '../src/store/index.js';
import type { AppKind } from './support/engine-apps.js';
import { DETAIL_HEADER, figures, measureRun, percentile, simulatedTime, table, waitDetail, HEADER, type Figures, type Poll } from './support/engine-metrics.js';
import type { FromSim, ToSim } from './support/engine-sim.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '1,10,200' },
    runbooks: { type: 'string' },
    // Passes of runs outside a cutover in flight at once (the engine's passConcurrency).
    'pass-concurrency': { type: 'string' },
    'time-scale': { type: 'string', default: '600' },
    detail: { type: 'boolean', default: false },
    // The bot's store on Postgres instead of the embedded SQLite (to compare the two).
    'database-url': { type: 'string' },
  },
});
const LEVELS = values.runs.split(',').map(Number);
// One time scale for every level, or one per level: at 600x the 30 s a wait outside a cutover may be
// late is 50 ms real, less than a loaded machine's scheduling noise; at 60x it is 500 ms.
const scales = values['time-scale'].split(',').map(Number);
const TIME_SCALES = scales.length === 1 ? LEVELS.map(() => scales[0]!) : scales;
if (LEVELS.some((n) => !(n >= 1)) || TIME_SCALES.length !== LEVELS.length || TIME_SCALES.some((t) => !(t > 0))) {
  throw new Error('usage: bench/engine.ts [--runs 1,10,200] [--time-scale 600 | --time-scale 600,60,600 (one per level)]');
}

/** What each runbook starts from, and with which parameters. */
const SCENARIOS: Record<string, { kind: AppKind; params: Record<string, unknown> }> = {
  pause: { kind: 'connect', params: {} },
  resume: { kind: 'paused', params: {} },
  restart: { kind: 'error', params: {} },
  'plan-change': { kind: 'connect', params: { plan: 'standard-2' } },
  'plan-change-via-follower': { kind: 'connect', params: { plan: 'standard-2' } },
  copy: { kind: 'essential', params: { plan: 'standard-0' } },
  upgrade: { kind: 'connect', params: { version: 17 } },
  'upgrade-via-follower': { kind: 'connect', params: { version: 17 } },
  reload: { kind: 'connect', params: {} },
  recreate: { kind: 'stopped', params: {} },
  'field-change': { kind: 'connect', params: { object: 'Account', field: 'Name', typeChange: true } },
  'add-column': { kind: 'connect', params: { object: 'Account', fields: ['Region__c', 'Tier__c'] } },
};
const chosen = values.runbooks?.split(',').map((name) => name.trim());
const unknown = chosen?.filter((name) => !SCENARIOS[name]) ?? [];
if (unknown.length > 0) throw new Error(`no scenario for ${unknown.join(', ')}; runbooks: ${Object.keys(SCENARIOS).join(', ')}`);
const names = [...runbooks.keys()].filter((name) => SCENARIOS[name] && (!chosen || chosen.includes(name)));
const skipped = [...runbooks.keys()].filter((name) => !SCENARIOS[name]);

interface Planned {
  runbook: string;
  app: string;
  kind: AppKind;
  params: Record<string, unknown>;
}

/** Rounds of `concurrency` runs, the runbooks in turn, until every runbook has run at least once. */
function rounds(concurrency: number): Planned[][] {
  const count = Math.max(1, Math.ceil(names.length / concurrency));
  return Array.from({ length: count }, (_, r) =>
    Array.from({ length: concurrency }, (_, i) => {
      const n = r * concurrency + i;
      const runbook = names[n % names.length]!;
      return { runbook, app: `bench-${runbook.replace(/[^a-z]/g, '')}-${String(n).padStart(3, '0')}`.slice(0, 30), ...SCENARIOS[runbook]! };
    }),
  );
}

interface LevelResult {
  concurrency: number;
  timeScale: number;
  detail: string[][];
  runs: number;
  rows: Figures[];
  failures: string[];
  wallMs: number;
  queue: { cutover: number[]; other: number[] };
  loopDelayP99Ms: number;
  peakRssMb: number;
  peakHeapMb: number;
  account: Extract<FromSim, { type: 'report' }>['account'];
}

async function measureLevel(concurrency: number, timeScale: number): Promise<LevelResult> {
  const plan = rounds(concurrency);

  // The simulated Heroku, in its own process
  const child = fork(fileURLToPath(new URL('./support/engine-sim.ts', import.meta.url)), [String(timeScale)], { execArgv: ['--import', 'tsx'] });
  const fromSim = <T extends FromSim['type']>(type: T): Promise<Extract<FromSim, { type: T }>> =>
    new Promise((resolve, reject) => {
      child.once('message', (message: FromSim) => (message.type === type ? resolve(message as Extract<FromSim, { type: T }>) : reject(new Error(`unexpected ${message.type}`))));
      child.once('exit', (code) => reject(new Error(`the simulator exited with ${code}`)));
    });
  const toSim = (message: ToSim) => child.send(message);
  toSim({ type: 'apps', apps: plan.flat().map(({ app, kind }) => ({ name: app, kind })) });
  const ready = await fromSim('ready');

  // The bot: store, limits, clients, engine; each wait's polls recorded with the requests they sent
  const dataDir = mkdtempSync(join(tmpdir(), 'connect-ops-bench-'));
  const store = await openStore({ dataDir, databaseUrl: values['database-url'], urgent: () => ambientPriority() === 'cutover' });
  const logger = createLogger({ level: 'silent' });
  // Heroku's budget (4,500 an hour, refilled 75 a minute) in simulated time, as the simulator's.
  const limits = createLimits({ timeScale, refillPerMinute: 75 * timeScale });
  const queue = { cutover: [] as number[], other: [] as number[] };
  const timed = (limiter: Limiter): void => {
    const schedule = limiter.schedule.bind(limiter);
    limiter.schedule = (options, task) => {
      const queued = performance.now();
      const into = ambientPriority() === 'cutover' ? queue.cutover : queue.other;
      return schedule(options, () => {
        into.push(performance.now() - queued);
        return task();
      });
    };
  };
  timed(limits.heroku);
  timed(limits.connect);
  const probing = new AsyncLocalStorage<{ requests: number }>();
  const clients = createHerokuClients({
    apiKey: ready.token,
    apiUrl: ready.url,
    dataApiUrl: ready.url,
    connectDiscoveryUrl: ready.url,
    limits,
    logger,
    timeScale,
    onRequest: () => void (probing.getStore() && (probing.getStore()!.requests += 1)),
  });

  const polls = new Map<string, Map<number, Poll[]>>();
  const recordPoll = (runId: string, idx: number, poll: Poll): void => {
    const byStep = polls.get(runId) ?? new Map<number, Poll[]>();
    polls.set(runId, byStep);
    byStep.set(idx, [...(byStep.get(idx) ?? []), poll]);
  };
  /** The same runbook, its waits' probes timed and their requests counted. */
  const instrumented = (runbook: Runbook<RunbookDeps>): Runbook<RunbookDeps> => ({
    ...runbook,
    steps: (params) =>
      runbook.steps(params).map((step, idx) =>
        step.kind !== 'wait'
          ? step
          : {
              ...step,
              until: async (ctx) => {
                const counter = { requests: 0 };
                const result = await probing.run(counter, () => step.until(ctx));
                recordPoll(ctx.runId, idx, { at: Date.now(), done: result.done, requests: counter.requests });
                return result;
              },
            },
      ),
  });

  const finished = new Map<string, () => void>();
  const completeManualStep = async (run: RunView, stepIdx: number) => {
    // Plays the person: logs in to Salesforce when asked, aborts the loads add-column asks to abort (Prep 7), and confirms.
    const title = run.steps[stepIdx]?.title ?? '';
    if (/Salesforce/.test(title)) await fetch(`${ready.url}/__sandbox/salesforce-authorize/${run.app}`, { method: 'POST' });
    for (const object of /^Abort the initial load of (.+) in the new connection$/.exec(title)?.[1]?.split(', ') ?? []) {
      await fetch(`${ready.url}/__sandbox/mapping-abort/${run.app}/${object}`, { method: 'POST' });
    }
    await engine.completeManualStep({ runId: run.id, stepIdx, userId: 'U_BENCH' });
  };
  const engine = createEngine<RunbookDeps>({
    store,
    runbooks: runbookRegistry(...[...runbooks.values()].map(instrumented)),
    deps: clients,
    logger,
    timeScale,
    passConcurrency: values['pass-concurrency'] ? Number(values['pass-concurrency']) : undefined,
    observer: {
      onEvent(event: EngineEvent) {
        if (event.type === 'manual.requested' && event.stepIdx !== undefined) setImmediate(() => void completeManualStep(event.run, event.stepIdx!));
        if (event.type === 'run.finished') finished.get(event.run.id)?.();
      },
    },
  });

  // The rounds, each run to its end (told by the engine, not polled for)
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let peakRss = 0;
  let peakHeap = 0;
  const sampler = setInterval(() => {
    const { rss, heapUsed } = process.memoryUsage();
    peakRss = Math.max(peakRss, rss);
    peakHeap = Math.max(peakHeap, heapUsed);
  }, 250);
  const started = Date.now();
  const ids: Array<{ runbook: string; id: string }> = [];
  for (const round of plan) {
    const ended: Array<Promise<void>> = [];
    const launched = await Promise.all(
      round.map(async ({ runbook, app, params }) => {
        const run = await engine.start({ runbook, app, params, requestedBy: 'U_BENCH', approvalsRequired: 0, approvalTimeoutMs: 3_600_000 });
        return { runbook, id: run.id };
      }),
    );
    for (const { id } of launched) {
      ended.push(
        new Promise<void>((resolve) => {
          finished.set(id, resolve);
          // It may have ended before its promise was set up.
          void engine.getRun(id).then((view) => view?.finishedAt && resolve());
        }),
      );
    }
    await Promise.all(ended);
    ids.push(...launched);
  }
  const wallMs = Date.now() - started;
  clearInterval(sampler);
  loop.disable();
  const final = await Promise.all(ids.map(async (r) => ({ runbook: r.runbook, view: (await engine.getRun(r.id))! })));
  toSim({ type: 'report' });
  const report = await fromSim('report');

  const toSimTime = simulatedTime(ready.clock);
  const measures = final.map(({ runbook, view }) => ({
    runbook,
    measure: measureRun({ view, polls: polls.get(view.id) ?? new Map() }, report.apps[view.app]!, toSimTime, timeScale),
  }));
  const rows = names.map((name) => figures(name, measures.filter((m) => m.runbook === name).map((m) => m.measure), timeScale));
  const detail = names.flatMap((name) => waitDetail(name, measures.filter((m) => m.runbook === name).map((m) => m.measure)));
  const failures = final
    .filter((f) => f.view.status !== 'succeeded')
    .map((f) => `FAILED ${f.runbook} on ${f.view.app}: ${f.view.error?.code} at ${f.view.error?.stepTitle}: ${f.view.error?.message}`);

  await engine.stop();
  await limits.disconnect();
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
  child.disconnect();
  return {
    concurrency,
    timeScale,
    detail,
    runs: ids.length,
    rows,
    failures,
    wallMs,
    queue,
    loopDelayP99Ms: loop.percentile(99) / 1e6,
    peakRssMb: peakRss / 2 ** 20,
    peakHeapMb: peakHeap / 2 ** 20,
    account: report.account,
  };
}

// ---------------------------------------------------------------------------------------------
// Each concurrency, then the targets

const results: LevelResult[] = [];
for (const [i, level] of LEVELS.entries()) {
  const result = await measureLevel(level, TIME_SCALES[i]!);
  results.push(result);
  const { queue, account } = result;
  const q = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return `p50 ${percentile(sorted, 50).toFixed(0)} ms, p99 ${percentile(sorted, 99).toFixed(0)} ms (${sorted.length})`;
  };
  const hours = account.spanMs / 3_600_000;
  console.log(
    [
      '',
      `== ${level} concurrent run${level === 1 ? '' : 's'}: ${result.runs} runs in ${Math.ceil(result.runs / level)} round(s), time scale ${result.timeScale} (simulated time unless "real"), one Heroku account`,
      '',
      table(HEADER, result.rows.map((r) => r.cells)),
      ...(values.detail ? ['', table(DETAIL_HEADER, result.detail)] : []),
      '',
      `requests waiting for the limiter (real): cutover ${q(queue.cutover)}; other ${q(queue.other)}`,
      `machine load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} (the real figures stretch with it); event loop delay p99 ${result.loopDelayP99Ms.toFixed(0)} ms; peak RSS ${result.peakRssMb.toFixed(0)} MB, heap ${result.peakHeapMb.toFixed(0)} MB; wall time ${(result.wallMs / 1000).toFixed(1)} s`,
      `Heroku account: ${account.requests} requests over ${hours.toFixed(1)} simulated h, peak ${account.peakPerHour} in a simulated hour (limit 4,500: ${(account.peakPerHour / 4500).toFixed(2)}×), ${account.rateLimited} answered 429`,
      ...result.failures,
    ].join('\n'),
  );
}

console.log(
  [
    '',
    'Columns. bot share real: writes-stopped time minus what Heroku\'s operations took, in real seconds (simulated / time scale); late: its waits\'',
    '  lateness (simulated) beside the CLI\'s polling the same waits every 5 s; processing: real time in the cutover outside its waits.',
    '  cutover req: requests its cutover waits sent per run, beside the same probes every 5 s from each wait\'s start (×CLI: the ratio).',
    '  outside: waits outside the cutover that noticed their condition within 5 % of their length or 30 s; late p90; requests beside the CLI\'s.',
    ...(skipped.length ? [`not benchmarked (no scenario): ${skipped.join(', ')}`] : []),
    '',
    'Targets, per runbook at each concurrency (worst runbook; ✓ met, ✗ not):',
  ].join('\n'),
);
const worst = (rows: Figures[], pick: (r: Figures) => number | undefined, dir: 1 | -1): { value: number; runbook: string } | undefined =>
  rows
    .flatMap((r) => (pick(r) === undefined ? [] : [{ value: pick(r)!, runbook: r.runbook }]))
    .sort((a, b) => dir * (b.value - a.value))[0];
for (const result of results) {
  const share = worst(result.rows, (r) => r.shareRealS, 1);
  const cut = worst(result.rows, (r) => r.cutoverRatio, 1);
  const onTime = worst(result.rows, (r) => r.onTimeShare, -1);
  const outside = worst(result.rows, (r) => r.outsideRatio, 1);
  const mark = (ok: boolean) => (ok ? '✓' : '✗');
  console.log(
    [
      `${String(result.concurrency).padStart(4)} runs (time scale ${result.timeScale}):`,
      share && `bot share ≤ 5 s real ${mark(share.value <= 5)} (worst ${share.value.toFixed(2)} s, ${share.runbook})`,
      cut && `cutover requests ≤ 0.5× CLI ${mark(cut.value <= 0.5)} (worst ${cut.value.toFixed(2)}×, ${cut.runbook})`,
      onTime && `outside on time ${mark(onTime.value === 1)} (worst ${Math.round(100 * onTime.value)}%, ${onTime.runbook})`,
      outside && `outside requests ≤ 0.25× CLI ${mark(outside.value <= 0.25)} (worst ${outside.value.toFixed(2)}×, ${outside.runbook})`,
      `Heroku limit ${mark(result.account.peakPerHour <= 4500 && result.account.rateLimited === 0)}`,
      result.failures.length ? `${result.failures.length} FAILED` : '',
    ]
      .filter(Boolean)
      .join('; '),
  );
}
process.exitCode = results.some((r) => r.failures.length > 0) ? 1 : 0;
