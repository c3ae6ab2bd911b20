import { randomBytes } from 'node:crypto';
import { Approvals } from './approvals.js';
import { Definitions, type Definition } from './definitions.js';
import type { RunDriver } from './driver.js';
import { InProcessDriver } from './drivers/in-process.js';
import { EngineError } from './errors.js';
import { Executor } from './executor.js';
import { RunStore, type Snapshot } from './run-store.js';
import { readerOf } from './reader.js';
import { Transitions } from './transitions.js';
import type {
  CancelOutcome,
  Engine,
  EngineOptions,
  ManualOutcome,
  Outcome,
  OverrideOutcome,
  RunView,
  StartRequest,
} from './types.js';
import { isFinished, isSettled, viewer } from './view.js';

const DEFAULT_POLL_BUDGET_PER_HOUR = 1800;
const DEFAULT_RETRY = { attempts: 5, baseMs: 2_000, maxMs: 60_000 };

/**
 * The durable runbook engine. It is generic over what runbooks need (`deps`, e.g. the Heroku
 * clients) and knows nothing of Heroku or Slack: runbooks bring the calls, the observer the UI.
 * The caller checks policy (who may start, approve, cancel); the engine enforces the rest. Runs
 * are driven in this process (the default) or through a job queue shared by replicas (`driver`).
 */
export function createEngine<Deps>(options: EngineOptions<Deps>): Engine {
  const now = options.clock ?? (() => new Date());
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0)) throw new Error(`timeScale must be above 0, not ${timeScale}`);
  // Driven in this process alone (the in-process driver, or a driver to come that is not shared: the
  // bot's with the embedded store), the writes to its runs are this RunStore's: it keeps them in memory.
  const shared = options.driver !== undefined && options.driver.shared !== false;
  const runs = new RunStore(options.store, options.process, { sole: !shared });
  const definitions = new Definitions(options.runbooks, (id) => runs.load(id));
  const view = viewer(definitions, timeScale);
  const reader = readerOf(runs, view);
  const transitions = new Transitions(runs, view, { now, logger: options.logger, observer: options.observer });
  const driver: RunDriver = options.driver ?? new InProcessDriver(() => now().getTime(), { concurrency: options.passConcurrency });
  const executor = new Executor({
    runs,
    definitions,
    transitions,
    deps: options.deps,
    logger: options.logger,
    now,
    timeScale,
    cutoverGuard: options.cutoverGuard,
    pollBudgetPerHour: options.pollBudgetPerHour ?? DEFAULT_POLL_BUDGET_PER_HOUR,
    retry: { ...DEFAULT_RETRY, ...options.retry },
    // Replicas each drive some of the runs: the polling budget counts them all, from the store.
    waitingRuns: shared ? () => runs.waiting() : undefined,
    onTransition: options.onTransition,
  });
  driver.attach(
    (runId, lease) => executor.drive(runId, lease),
    (runId) => executor.kit.inCutover(runId),
  );
  const iso = () => now().toISOString();
  const wake = (runId: string) => driver.wake(runId);
  /** Wakes a run that has a cancel request and resolves once it stopped (or, on another process, after a while). */
  const settle = (runId: string) =>
    driver.settle(runId, async () => {
      const run = await runs.load(runId);
      return !run || isFinished(run.run.status);
    });
  const approvals = new Approvals({ runs, definitions, transitions, reader, view, now, timeScale, wake, settle });

  /** Loads a run that has not finished, or says why not. */
  const activeRun = async (runId: string): Promise<Snapshot | 'run_not_found' | 'run_finished'> => {
    const snapshot = await runs.load(runId);
    if (!snapshot) return 'run_not_found';
    return isFinished(snapshot.run.status) ? 'run_finished' : snapshot;
  };

  /** Creates a run with its app lock and starts driving it. */
  const launch = async (
    definition: Definition<Deps>,
    run: { requestedBy: string; channel: string | null; approvalsRequired: number; approvalTimeoutMs: number; notBefore: string | null; outputs: Record<string, unknown>; rollbackOf: string | null },
  ): Promise<RunView> => {
    const id = `r${randomBytes(6).toString('hex')}`;
    const { app, input } = definition.valid;
    const createdAt = iso();
    const audit = {
      type: 'run.created' as const,
      actor: run.requestedBy,
      detail: { runbook: definition.runbook.name, app, rollbackOf: run.rollbackOf, notBefore: run.notBefore },
    };
    const created = await runs.create(
      { id, app, runbook: definition.runbook.name, params: input, status: 'pending', planHash: definition.plan.hash, createdAt, ...run },
      definition.steps.map((s) => ({ title: s.title, kind: s.kind })),
      audit,
    );
    if (created.heldBy) {
      throw new EngineError('app_locked', `${app} is busy: run ${created.heldBy} holds it until it finishes or is cancelled.`, {
        runId: created.heldBy,
      });
    }
    await transitions.announce(id, createdAt, [audit]);
    const pending = (await reader.getRun(id))!;
    await wake(id);
    return pending;
  };

  return {
    plan(runbook, params, app) {
      return definitions.fresh(runbook, params, app).plan;
    },

    async start(request: StartRequest) {
      const definition = definitions.fresh(request.runbook, request.params ?? {}, request.app);
      return launch(definition, {
        requestedBy: request.requestedBy,
        channel: request.channel ?? null,
        approvalsRequired: request.approvalsRequired,
        approvalTimeoutMs: request.approvalTimeoutMs,
        notBefore: request.notBefore ? request.notBefore.toISOString() : null,
        outputs: {},
        rollbackOf: null,
      });
    },

    approve: (request) => approvals.decide(request, 'approve'),
    reject: (request) => approvals.decide(request, 'reject'),

    async completeManualStep({ runId, stepIdx, userId }): Promise<Outcome<ManualOutcome>> {
      const found = await activeRun(runId);
      if (typeof found === 'string') return { outcome: found, run: await reader.getRun(runId) };
      const step = found.steps[stepIdx];
      if (step?.kind === 'manual' && step.status === 'done') return { outcome: 'already_completed', run: await view(found) };
      if (step?.kind !== 'manual' || step.status !== 'held') return { outcome: 'not_awaiting_manual', run: await view(found) };
      await transitions.commit(runId, {
        run: { status: 'running' },
        step: { idx: stepIdx, set: { status: 'done', finishedAt: iso() } },
        audit: [{ type: 'manual.completed', actor: userId, stepIdx }],
      });
      await wake(runId);
      return { outcome: 'completed', run: await reader.getRun(runId) };
    },

    async cancel({ runId, userId, reason }): Promise<Outcome<CancelOutcome>> {
      const found = await activeRun(runId);
      if (typeof found === 'string') return { outcome: found, run: await reader.getRun(runId) };
      if (!found.run.cancelRequest) {
        await transitions.commit(runId, {
          run: { cancelRequest: { by: userId, reason, code: 'cancelled' } },
          audit: [{ type: 'run.cancel_requested', actor: userId, detail: reason ? { reason } : {} }],
        });
      }
      // An action in flight finishes first (its request may take a while); any other step reaches a
      // safe point within one probe, so the run is stopped before answering.
      const current = found.steps.find((s) => !isSettled(s.status));
      if (driver.busy(runId) && current?.kind === 'action') await wake(runId);
      else await settle(runId);
      const run = await reader.getRun(runId);
      return { outcome: run?.status === 'cancelled' ? 'cancelled' : 'cancelling', run };
    },

    async rollback({ runId, userId, channel }) {
      const original = await runs.load(runId);
      if (!original) throw new EngineError('run_not_found', `There is no run ${runId}.`);
      if (!isFinished(original.run.status)) {
        throw new EngineError('run_active', `Run ${runId} is ${original.run.status}; cancel it before rolling back.`, { runId });
      }
      const definition = await definitions.rollbackFor(runId);
      if (definition.steps.length === 0) {
        throw new EngineError('nothing_to_roll_back', `Run ${runId} changed nothing that has an undo step.`, { runId });
      }
      return launch(definition, {
        requestedBy: userId,
        channel: channel ?? original.run.channel,
        approvalsRequired: 0,
        approvalTimeoutMs: 0,
        notBefore: null,
        outputs: original.run.outputs,
        rollbackOf: runId,
      });
    },

    async overrideMaintenance({ runId, userId }): Promise<Outcome<OverrideOutcome>> {
      const found = await activeRun(runId);
      if (typeof found === 'string') return { outcome: found, run: await reader.getRun(runId) };
      if (found.run.status !== 'held_for_maintenance') return { outcome: 'not_held', run: await view(found) };
      await transitions.commit(runId, {
        run: { maintenanceOverrideBy: userId },
        audit: [{ type: 'maintenance.overridden', actor: userId, detail: { window: found.run.heldFor } }],
      });
      await wake(runId);
      return { outcome: 'overridden', run: await reader.getRun(runId) };
    },

    ...reader,

    async resumeAll() {
      await driver.start();
      for (const runId of await runs.unfinished()) {
        // Only a run nobody drives is resumed: with replicas, most runs already have their wake-up.
        if (!(await driver.adopt(runId))) continue;
        await transitions.commit(runId, { audit: [{ type: 'run.resumed', actor: 'engine' }] });
        await wake(runId);
      }
    },

    async stop(deadlineMs) {
      executor.stop();
      await driver.stop(deadlineMs);
      await transitions.delivered();
    },
  };
}
