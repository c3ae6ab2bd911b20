/**
 * The engine under load: 200 runbooks at once, each on an app of its own in the simulated Heroku
 * (which runs in a child process, bench/support/engine-sim.ts). Every runbook of the registry that
 * has a scenario below runs about as often as the others. Prints, per runbook:
 *
 * - Heroku requests per run, and as a ratio against the minimum the procedure needs (its mutations
 *   plus one confirming read per wait) and against the same procedure polled every 5 s as the
 *   Heroku CLI does (measured in the same run from the same waits);
 * - how late its waits noticed their conditions (simulated time);
 * - the cutover downtime, the part of it Heroku's operations took, and the rest: the bot's share;
 * and the bot process's peak memory.
 *
 *   npx tsx bench/engine.ts [--runs 200] [--time-scale 600]
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createLogger } from '../src/log.js';
import { createEngine, type EngineEvent, type RunView } from '../src/ops/engine/index.js';
import { createHerokuClients } from '../src/ops/heroku/clients.js';
import { createLimits } from '../src/ops/limits.js';
import type { RunbookDeps } from '../src/ops/runbooks/deps.js';
import { runbooks } from '../src/ops/runbooks/index.js';
import { runbookRegistry, type Runbook } from '../src/ops/runbooks/runbook.js';
import { openStore } from '../src/store/index.js';
import type { AppKind } from './support/engine-apps.js';
import { duration, measureRun, row, simulatedTime, table, type Poll, type RunRecord } from './support/engine-metrics.js';
import type { FromSim, ToSim } from './support/engine-sim.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '200' }, 'time-scale': { type: 'string', default: '600' } } });
const RUNS = Number(values.runs);
const TIME_SCALE = Number(values['time-scale']);

/** What each runbook starts from, and with which parameters. */
const SCENARIOS: Record<string, { kind: AppKind; params: Record<string, unknown> }> = {
  pause: { kind: 'connect', params: {} },
  resume: { kind: 'paused', params: {} },
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

const names = [...runbooks.keys()].filter((name) => SCENARIOS[name]);
const skipped = [...runbooks.keys()].filter((name) => !SCENARIOS[name]);
const plan = Array.from({ length: RUNS }, (_, i) => {
  const runbook = names[i % names.length]!;
  return { runbook, app: `bench-${runbook.replace(/[^a-z]/g, '')}-${String(i).padStart(3, '0')}`.slice(0, 30), ...SCENARIOS[runbook]! };
});

// ---------------------------------------------------------------------------------------------
// The simulated Heroku, in its own process

const child = fork(fileURLToPath(new URL('./support/engine-sim.ts', import.meta.url)), [String(TIME_SCALE)], { execArgv: ['--import', 'tsx'] });
const fromSim = <T extends FromSim['type']>(type: T): Promise<Extract<FromSim, { type: T }>> =>
  new Promise((resolve, reject) => {
    child.once('message', (message: FromSim) => (message.type === type ? resolve(message as Extract<FromSim, { type: T }>) : reject(new Error(`unexpected ${message.type}`))));
    child.once('exit', (code) => reject(new Error(`the simulator exited with ${code}`)));
  });
const toSim = (message: ToSim) => child.send(message);

toSim({ type: 'apps', apps: plan.map(({ app, kind }) => ({ name: app, kind })) });
const ready = await fromSim('ready');

// ---------------------------------------------------------------------------------------------
// The bot: store, limits, clients, engine; each wait's polls recorded

const dataDir = mkdtempSync(join(tmpdir(), 'connect-ops-bench-'));
const store = await openStore({ dataDir });
const logger = createLogger({ level: 'silent' });
// Heroku's budget (4,500 an hour, refilled 75 a minute) in simulated time, as the simulator's.
const limits = createLimits({ timeScale: TIME_SCALE, refillPerMinute: 75 * TIME_SCALE });
const clients = createHerokuClients({ apiKey: ready.token, apiUrl: ready.url, dataApiUrl: ready.url, connectDiscoveryUrl: ready.url, limits, logger, timeScale: TIME_SCALE });

const polls = new Map<string, Map<number, Poll[]>>();
function recordPoll(runId: string, idx: number, done: boolean): void {
  const byStep = polls.get(runId) ?? new Map<number, Poll[]>();
  polls.set(runId, byStep);
  byStep.set(idx, [...(byStep.get(idx) ?? []), { at: Date.now(), done }]);
}

/** The same runbook, its waits' probes timed. */
function instrumented(runbook: Runbook<RunbookDeps>): Runbook<RunbookDeps> {
  return {
    ...runbook,
    steps: (params) =>
      runbook.steps(params).map((step, idx) =>
        step.kind !== 'wait'
          ? step
          : {
              ...step,
              until: async (ctx) => {
                const result = await step.until(ctx);
                recordPoll(ctx.runId, idx, result.done);
                return result;
              },
            },
      ),
  };
}

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
  timeScale: TIME_SCALE,
  observer: {
    onEvent(event: EngineEvent) {
      if (event.type === 'manual.requested' && event.stepIdx !== undefined) setImmediate(() => void completeManualStep(event.run, event.stepIdx!));
    },
  },
});

// ---------------------------------------------------------------------------------------------
// 200 runs at once

const started = Date.now();
const ids = await Promise.all(
  plan.map(async ({ runbook, app, params }) => {
    const run = await engine.start({ runbook, app, params, requestedBy: 'U_BENCH', approvalsRequired: 0, approvalTimeoutMs: 3_600_000 });
    return { runbook, id: run.id };
  }),
);
while ((await engine.listRuns({ active: true, limit: RUNS })).length > 0) await new Promise((resolve) => setTimeout(resolve, 1000));
const wallMs = Date.now() - started;
const final = await Promise.all(ids.map(async (r) => ({ runbook: r.runbook, view: (await engine.getRun(r.id))! })));

toSim({ type: 'report' });
const report = await fromSim('report');
const peakMb = process.resourceUsage().maxRSS / 1024;

// ---------------------------------------------------------------------------------------------
// The table

const toSimTime = simulatedTime(ready.clock);
const measures = final.map(({ runbook, view }) => ({
  runbook,
  measure: measureRun({ view, polls: polls.get(view.id) ?? new Map() } satisfies RunRecord, report.apps[view.app]!, toSimTime, TIME_SCALE),
}));
const rows = names.map((name) => row(name, measures.filter((m) => m.runbook === name).map((m) => m.measure)));
const failures = final.filter((f) => f.view.status !== 'succeeded');

console.log(`\n${RUNS} runbooks at once on ${RUNS} simulated apps, time scale ${TIME_SCALE} (simulated time below), one Heroku account (4,500 requests/h)\n`);
console.log(table(rows));
console.log(
  [
    '',
    '× min: requests against the procedure\'s minimum (its mutations plus one confirming read per wait).',
    '× CLI 5 s: against the same mutations with each wait polled every 5 s as the Heroku CLI does (no preflight reads: favours the CLI).',
    'late: how long after its condition held a wait noticed it; exact: share of waits whose condition time the simulator recorded (others: the bound).',
    'downtime: writes stopped (mean of runs with a cutover); Heroku ops: the part Heroku\'s operations took; bot share: the rest, that is its waits\' lateness',
    `  plus its processing: the real time it spent outside its waits (each real ms counts ${TIME_SCALE} simulated ms here).`,
    `Waits share a polling budget of 1,800 requests per (simulated) hour: with ${RUNS} runs waiting at once, each polls at most every ${duration((RUNS * 3_600_000) / 1800)},`,
    '  except waits inside a cutover (writes stopped), which keep their own interval.',
    '',
    `wall time ${(wallMs / 1000).toFixed(1)} s, ${measures.reduce((n, m) => n + m.measure.requests, 0)} Heroku requests, bot process peak memory ${peakMb.toFixed(0)} MB`,
    ...(skipped.length ? [`not benchmarked (no scenario): ${skipped.join(', ')}`] : []),
    ...failures.map((f) => `FAILED ${f.runbook} on ${f.view.app}: ${f.view.error?.code} at ${f.view.error?.stepTitle}: ${f.view.error?.message}`),
  ].join('\n'),
);

await engine.stop();
await limits.disconnect();
await store.close();
rmSync(dataDir, { recursive: true, force: true });
child.disconnect();
process.exitCode = failures.length > 0 ? 1 : 0;
