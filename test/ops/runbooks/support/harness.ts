import { createLogger } from '../../../../src/log.js';
import { createEngine, isFinished, type Engine, type EngineOptions, type RunStatus, type RunView, type StepView } from '../../../../src/ops/engine/index.js';
import type { HerokuClients } from '../../../../src/ops/heroku/clients.js';
import { runbooks } from '../../../../src/ops/runbooks/index.js';
import type { RunbookDeps } from '../../../../src/ops/runbooks/deps.js';
import type { RequestLogEntry, SimulatedHeroku, World } from '../../../../src/sandbox/heroku/index.js';
import type { Store } from '../../../../src/store/index.js';
import { createTestStore, type TestStore } from '../../../support/backends.js';
import { declaring } from '../../../support/declared-calls.js';
import { startSandbox } from '../../../support/simulated-heroku.js';

/**
 * Runbook tests end to end: the simulated Heroku, a real SQLite store, the real Heroku clients and
 * the real engine, all at one time scale (simulated hours pass in real milliseconds).
 */

/**
 * Simulated ms per real ms: one simulated hour every real second. Faster scales flaked on a loaded
 * machine: a 100 ms stall of the test process is then minutes of simulated time, long enough for a
 * wait or a refused mutation to run out.
 */
export const TIME_SCALE = 3_600;
/**
 * Twice as fast, for the follower changeovers and their hours of catching up. Safe there: writes
 * have stopped when Heroku Connect is paused, so no poll of its own can start in between.
 */
export const CHANGEOVER_TIME_SCALE = 7_200;
/** Requests that change nothing on the app: resolving names, and joining the Connect access list (as connect:info does). */
const NOT_MUTATIONS = /^\/actions\/addon(-attachment)?s\/resolve$|^\/auth\//;
export const OPERATOR = 'U_OPERATOR';
export const APPROVER = 'U_APPROVER';

/** Trouble every runbook must get through: 5xx answers, latency and a burst of 429s. */
export const FAULTS = { errorRate: 0.15, latencyMs: 2, rateLimitBurst: 3 };

export interface HarnessOptions {
  timeScale?: number;
  engine?: Pick<EngineOptions<RunbookDeps>, 'onTransition' | 'retry'>;
  /** Deps besides the clients, e.g. the policy's app names. */
  deps?: Omit<Partial<RunbookDeps>, keyof HerokuClients>;
}

export interface Harness {
  sim: SimulatedHeroku;
  world: World;
  clients: HerokuClients;
  engine: Engine;
  store: TestStore;
  /**
   * Starts a new engine on the same store and simulator, as a restarted process would, and resumes
   * every unfinished run. The old engine is stopped first, or with `abandoned`, left where it hangs.
   */
  restartEngine(options?: HarnessOptions['engine'] & { abandoned?: boolean }): Promise<Engine>;
  /** Starts a run that needs one approver's approval at each approval step. */
  start(runbook: string, app: string, params?: Record<string, unknown>): Promise<RunView>;
  /** Resolves once the run's status is one of `statuses` (or it finished), failing after `timeoutMs`. */
  waitFor(runId: string, statuses: RunStatus[], timeoutMs?: number): Promise<RunView>;
  /** Resolves once the step titled `title` is `reached` (by default: has started). */
  waitForStep(runId: string, title: string, reached?: (step: StepView) => boolean): Promise<RunView>;
  approve(run: RunView): Promise<void>;
  /** Approves every approval as it comes and resolves when the run has finished. */
  finish(runId: string): Promise<RunView>;
  /** Starts a run and drives it to its end. */
  run(runbook: string, app: string, params?: Record<string, unknown>): Promise<RunView>;
  /** Successful requests that change something on an app, as the simulator logged them. */
  mutations(): RequestLogEntry[];
  /** How many answers were injected faults (5xx and 429). */
  faultsServed(): number;
  close(): Promise<void>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const timeScale = options.timeScale ?? TIME_SCALE;
  const logger = createLogger({ level: 'silent' });
  const heroku = await startSandbox({ timeScale, seed: 'default' });
  const { sim, clients } = heroku;
  const store = await createTestStore('sqlite');

  // Every step is held to the calls it declares: a request it did not declare fails the test.
  const registry = declaring(runbooks);
  const engineOn = (s: Store, engineOptions: HarnessOptions['engine']) =>
    createEngine<RunbookDeps>({ store: s, runbooks: registry, deps: { ...clients, ...options.deps }, logger, timeScale, ...engineOptions });
  let engine = engineOn(store.store, options.engine);

  /** Polls the run until `test` returns it, failing after `timeoutMs`. */
  const until = async (runId: string, timeoutMs: number, test: (run: RunView) => RunView | undefined): Promise<RunView> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const run = await engine.getRun(runId);
      if (!run) throw new Error(`no run ${runId}`);
      const found = test(run);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`run ${runId} is still ${run.status} at step ${describeStep(run)} after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };

  const harness: Harness = {
    sim,
    world: sim.world,
    clients,
    store,
    get engine() {
      return engine;
    },
    async restartEngine({ abandoned = false, ...engineOptions } = {}) {
      // A hung engine's stop() clears its timers at once, then waits forever for the hung request.
      if (abandoned) void engine.stop();
      else await engine.stop();
      engine = engineOn(await store.reopen(), engineOptions);
      await engine.resumeAll();
      return engine;
    },
    start: (runbook, app, params = {}) =>
      engine.start({
        runbook,
        app,
        params,
        requestedBy: OPERATOR,
        channel: 'C_OPS',
        approvalsRequired: 1,
        approvalTimeoutMs: 24 * 3_600_000,
      }),
    waitFor: (runId, statuses, timeoutMs = 10_000) =>
      until(runId, timeoutMs, (run) => {
        if (statuses.includes(run.status) || isFinished(run.status)) return run;
        return undefined;
      }),
    waitForStep: (runId, title, reached = (step) => step.status !== 'pending') =>
      until(runId, 10_000, (run) => {
        const step = run.steps.find((s) => s.title === title);
        if (!step) throw new Error(`run ${runId} has no step "${title}"`);
        if (reached(step)) return run;
        if (isFinished(run.status)) throw new Error(`step "${title}" of run ${runId} never got there: ${why(run)}`);
        return undefined;
      }),
    async approve(run) {
      const { outcome } = await engine.approve({ runId: run.id, userId: APPROVER, planHash: run.planHash });
      if (outcome !== 'approved') throw new Error(`approval of ${run.id} was ${outcome}`);
    },
    async finish(runId) {
      for (;;) {
        const run = await harness.waitFor(runId, ['awaiting_approval']);
        if (isFinished(run.status)) return run;
        await harness.approve(run);
        await harness.waitFor(runId, ['running']);
      }
    },
    async run(runbook, app, params) {
      return harness.finish((await harness.start(runbook, app, params)).id);
    },
    faultsServed: () => sim.requests().filter((r) => r.status >= 500 || r.status === 429).length,
    mutations: () => sim.requests().filter((r) => r.method !== 'GET' && r.status < 300 && !NOT_MUTATIONS.test(r.path)),
    async close() {
      await engine.stop();
      await heroku.close();
      await store.dispose();
    },
  };
  return harness;
}

function describeStep(run: RunView): string {
  const step = run.steps.find((s) => s.status !== 'done' && s.status !== 'skipped');
  return step ? `${step.idx} "${step.title}" (${step.status}${step.progress ? `: ${step.progress}` : ''})` : 'none';
}

/** A run's failure, for assertion messages. */
export function why(run: RunView): string {
  return run.error ? `${run.error.code} at ${run.error.stepTitle ?? '-'}: ${run.error.message}` : run.status;
}

/**
 * Replaces a method of one of the harness's clients with `wrap(real)`, `real` being the method
 * bound to its client, e.g. to change what Heroku did right after a request. Returns the undo.
 */
export function intercept<C extends object, K extends keyof C>(client: C, name: K, wrap: (real: C[K]) => C[K]): () => void {
  const original = client[name];
  client[name] = wrap((original as (...args: unknown[]) => unknown).bind(client) as C[K]);
  return () => {
    client[name] = original;
  };
}

/** `METHOD path` of each request, to compare against expected mutations. */
export const lines = (entries: RequestLogEntry[]): string[] => entries.map((e) => `${e.method} ${e.path}`);

/** The simulated connection of an app. */
export function connectionOf(world: World, app: string) {
  const owner = world.apps.get(app);
  const connection = [...world.connections.values()].find((c) => c.appId === owner?.id);
  if (!connection) throw new Error(`${app} has no connection`);
  return connection;
}

/** The simulated add-on attached to an app under `name` (DATABASE, HEROKU_POSTGRESQL_ONYX...). */
export function addOnAttachedAs(world: World, app: string, name: string) {
  const owner = world.apps.get(app);
  const attachment = [...world.attachments.values()].find((a) => a.appId === owner?.id && a.name === name);
  const addon = attachment && world.addons.get(attachment.addonId);
  if (!addon) throw new Error(`${app} has no ${name} attachment`);
  return { addon, database: world.databases.get(addon.id) };
}
