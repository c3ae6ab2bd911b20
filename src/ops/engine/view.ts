import type { Step } from '../runbooks/runbook.js';
import type { Definitions } from './definitions.js';
import { rollbackOf } from './rollback.js';
import type { Snapshot } from './run-store.js';
import type { RunView, StepView } from './types.js';

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

export const isFinished = (status: string): boolean => TERMINAL.has(status);

/** A step the run is past: done, or skipped because its condition did not hold. */
export const isSettled = (status: string): boolean => status === 'done' || status === 'skipped';

/** When an approval request made at `requestedAt` expires: its timeout runs at the engine's time scale. */
export const approvalExpiry = (requestedAt: string, timeoutMs: number, timeScale: number): number => Date.parse(requestedAt) + timeoutMs / timeScale;

export type Viewer = (snapshot: Snapshot) => Promise<RunView>;

/** Views runs with their definitions; a run whose runbook no longer resolves is shown without them. */
export function viewer<Deps>(definitions: Definitions<Deps>, timeScale: number): Viewer {
  return async (snapshot) => {
    const definition = await definitions.forRun(snapshot).catch(() => undefined);
    return toRunView(snapshot, definition?.steps, timeScale);
  };
}

/**
 * A run as the bot and the command line show it. `definition` (the run's steps as the runbook
 * defines them) adds the rollback report and the measured downtime; without it they are left out.
 */
function toRunView<Deps>(snapshot: Snapshot, definition: ReadonlyArray<Step<Deps>> | undefined, timeScale: number): RunView {
  const { run, steps, approvals } = snapshot;
  const current = steps.find((s) => !isSettled(s.status));
  const view: RunView = {
    id: run.id,
    app: run.app,
    runbook: run.runbook,
    status: run.status,
    requestedBy: run.requestedBy,
    channel: run.channel,
    planHash: run.planHash,
    params: run.params,
    notBefore: run.notBefore,
    createdAt: run.createdAt,
    updatedAt: run.updatedAt,
    finishedAt: run.finishedAt,
    approvalsRequired: run.approvalsRequired,
    approvals: approvals.map((a) => ({
      stepIdx: a.stepIdx,
      userId: a.userId,
      decision: a.decision,
      at: a.at,
      valid: a.planHash === run.planHash,
    })),
    approvalExpiresAt:
      run.status === 'awaiting_approval' && current?.kind === 'approval' && current.startedAt
        ? new Date(approvalExpiry(current.startedAt, run.approvalTimeoutMs, timeScale)).toISOString()
        : null,
    cancelRequested: run.cancelRequest !== null,
    steps: steps.map(
      (s): StepView => ({
        idx: s.idx,
        title: s.title,
        kind: s.kind,
        status: s.status,
        attempts: s.attempts,
        startedAt: s.startedAt,
        finishedAt: s.finishedAt,
        nextPollAt: s.nextPollAt,
        progress: s.progress,
        instructions: s.instructions,
        output: s.output,
        error: s.error,
        skipReason: s.skipReason,
      }),
    ),
    outputs: run.outputs,
    rollbackOf: run.rollbackOf,
    timeScale,
  };
  if (run.error) view.error = run.error;
  if (run.status === 'held_for_maintenance' && run.heldFor) view.heldFor = run.heldFor;
  if (!definition) return view;
  if ((run.status === 'cancelled' || run.status === 'failed') && run.rollbackOf === null) {
    view.rollback = rollbackOf(definition, steps).report;
  }
  const downtime = measuredDowntime(snapshot, definition);
  if (downtime) view.downtime = downtime;
  return view;
}

/** From the moment the action that starts downtime was issued until the one that ends it was done. */
function measuredDowntime<Deps>(snapshot: Snapshot, definition: ReadonlyArray<Step<Deps>>): RunView['downtime'] {
  const marked = (mark: 'starts' | 'ends') =>
    snapshot.steps.find((s) => {
      const step = definition[s.idx];
      return step?.kind === 'action' && step.downtime === mark && s.status === 'done' && s.attempts > 0;
    });
  const started = marked('starts')?.startedAt;
  if (!started) return undefined;
  const ended = marked('ends')?.finishedAt ?? null;
  return { startedAt: started, endedAt: ended, ms: ended ? Date.parse(ended) - Date.parse(started) : null };
}
