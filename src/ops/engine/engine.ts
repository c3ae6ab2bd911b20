import { randomBytes } from 'node:crypto';
import { Definitions, type Definition } from './definitions.js';
import { EngineError } from './errors.js';
import { Executor } from './executor.js';
import { RunStore, type Snapshot } from './run-store.js';
import { readerOf } from './reader.js';
import { Transitions } from './transitions.js';
import type {
  CancelOutcome,
  DecisionRequest,
  DecisionResult,
  Engine,
  EngineOptions,
  ManualOutcome,
  Outcome,
  OverrideOutcome,
  RunView,
  StartRequest,
} from './types.js';
import { approvalExpiry, isFinished, isSettled, viewer } from './view.js';

const DEFAULT_POLL_BUDGET_PER_HOUR = 1800;
const DEFAULT_RETRY = { attempts: 5, baseMs: 2_000, maxMs: 60_000 };

/**
 * The durable runbook engine. It is generic over what runbooks need (`deps`, e.g. the Heroku
 * clients) and knows nothing of Heroku or Slack: runbooks bring the calls, the observer the UI.
 * The caller checks policy (who may start, approve, cancel); the engine enforces the rest.
 */
export function createEngine<Deps>(options: EngineOptions<Deps>): Engine {
  const now = options.clock ?? (() => new Date());
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0)) throw new Error(`timeScale must be above 0, not ${timeScale}`);
  const runs = new RunStore(options.store);
  const definitions = new Definitions(options.runbooks, (id) => runs.load(id));
  const view = viewer(definitions, timeScale);
  const reader = readerOf(runs, view);
  const transitions = new Transitions(runs, view, { now, logger: options.logger, observer: options.observer });
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
    onTransition: options.onTransition,
  });
  const iso = () => now().toISOString();

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
    executor.kick(id);
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

    async approve(request) {
      return decide(request, 'approve');
    },

    async reject(request) {
      return decide(request, 'reject');
    },

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
      executor.kick(runId);
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
      if (executor.busy(runId) && current?.kind === 'action') executor.kick(runId);
      else await executor.settle(runId);
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
      executor.kick(runId);
      return { outcome: 'overridden', run: await reader.getRun(runId) };
    },

    ...reader,

    async resumeAll() {
      for (const runId of await runs.unfinished()) {
        await transitions.commit(runId, { audit: [{ type: 'run.resumed', actor: 'engine' }] });
        executor.kick(runId);
      }
    },

    stop: () => executor.stop(),
  };

  async function decide(request: DecisionRequest, decision: 'approve' | 'reject'): Promise<DecisionResult> {
    const found = await activeRun(request.runId);
    if (typeof found === 'string') return { outcome: found, run: await reader.getRun(request.runId) };
    const { run } = found;
    const step = found.steps.find((s) => !isSettled(s.status));
    const refuse = async (outcome: DecisionResult['outcome']) => ({ outcome, run: await view(found) });
    if (step?.kind !== 'approval' || step.status !== 'held' || run.cancelRequest) return refuse('not_awaiting_approval');
    if (run.status === 'awaiting_approval' && now().getTime() >= approvalExpiry(step.startedAt!, run.approvalTimeoutMs, timeScale)) {
      executor.kick(run.id);
      return refuse('expired');
    }
    const current = (await definitions.forRun(found)).plan.hash;
    if (request.planHash !== run.planHash || current !== run.planHash) {
      // A changed runbook voids the approvals given so far: let the run re-request them.
      if (current !== run.planHash) executor.kick(run.id);
      return refuse('plan_changed');
    }
    if (decision === 'approve' && request.userId === run.requestedBy) return refuse('self_approval');
    const at = iso();
    const audit = {
      type: 'approval.recorded' as const,
      actor: request.userId,
      stepIdx: step.idx,
      detail: request.reason ? { decision, reason: request.reason } : { decision },
    };
    const recorded = await runs.decide(run.id, { stepIdx: step.idx, userId: request.userId, decision, planHash: run.planHash, at }, audit);
    if (recorded === 'already_decided') return refuse('already_decided');
    await transitions.announce(run.id, at, [audit]);
    if (decision === 'reject') {
      await transitions.commit(run.id, {
        run: { cancelRequest: { by: request.userId, reason: request.reason, code: 'approval_rejected' } },
        audit: [],
      });
      await executor.settle(run.id);
      return { outcome: 'rejected', run: await reader.getRun(run.id) };
    }
    const approvers = new Set(
      [...found.approvals, { stepIdx: step.idx, userId: request.userId, decision, planHash: run.planHash }]
        .filter((a) => a.stepIdx === step.idx && a.decision === 'approve' && a.planHash === run.planHash)
        .map((a) => a.userId),
    );
    executor.kick(run.id);
    return { outcome: approvers.size >= run.approvalsRequired ? 'approved' : 'recorded', run: await reader.getRun(run.id) };
  }
}
