import type { Definitions } from './definitions.js';
import { runHash } from './plan.js';
import type { RunStore, Snapshot } from './run-store.js';
import type { Transitions } from './transitions.js';
import type { DecisionRequest, DecisionResult, RunReader } from './types.js';
import { approvalExpiry, isFinished, isSettled, type Viewer } from './view.js';

export interface ApprovalsOptions<Deps> {
  runs: RunStore;
  definitions: Definitions<Deps>;
  transitions: Transitions;
  reader: RunReader;
  view: Viewer;
  now: () => Date;
  timeScale: number;
  /** Wakes the run so it sees the decision, on whichever process drives it. */
  wake: (runId: string) => Promise<void>;
  /** Wakes the run and waits until it stopped (a rejection cancels the run). */
  settle: (runId: string) => Promise<void>;
}

/**
 * Decisions on a run's open approval request. Identity and policy (who may approve) are the bot's;
 * here: the request must be open and unexpired, the decision must be on the plan the approver saw,
 * the requester never approves their own run, and each approver counts once (the store's unique
 * key decides between two clicks racing on two processes).
 */
export class Approvals<Deps> {
  constructor(private readonly o: ApprovalsOptions<Deps>) {}

  async decide(request: DecisionRequest, decision: 'approve' | 'reject'): Promise<DecisionResult> {
    const { runs, reader, view, transitions } = this.o;
    const found = await runs.load(request.runId);
    if (!found) return { outcome: 'run_not_found', run: undefined };
    if (isFinished(found.run.status)) return { outcome: 'run_finished', run: await reader.getRun(request.runId) };
    const { run } = found;
    const step = found.steps.find((s) => !isSettled(s.status));
    const refuse = async (outcome: DecisionResult['outcome']) => ({ outcome, run: await view(found) });
    if (step?.kind !== 'approval' || step.status !== 'held' || run.cancelRequest) return refuse('not_awaiting_approval');
    if (run.status === 'awaiting_approval' && this.o.now().getTime() >= approvalExpiry(step.startedAt!, run.approvalTimeoutMs, this.o.timeScale)) {
      await this.o.wake(run.id);
      return refuse('expired');
    }
    const definition = await this.o.definitions.forRun(found);
    const current = runHash(definition.plan, definition.steps, run.outputs);
    if (request.planHash !== run.planHash || current !== run.planHash) {
      // A changed runbook voids the approvals given so far: let the run re-request them.
      if (current !== run.planHash) await this.o.wake(run.id);
      return refuse('plan_changed');
    }
    if (decision === 'approve' && request.userId === run.requestedBy) return refuse('self_approval');
    const at = this.o.now().toISOString();
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
      await this.o.settle(run.id);
      return { outcome: 'rejected', run: await reader.getRun(run.id) };
    }
    await this.o.wake(run.id);
    // Counted from the store: another approver may have clicked on another process meanwhile.
    const after = (await runs.load(run.id)) ?? found;
    return { outcome: approvers(after, step.idx, run.planHash) >= run.approvalsRequired ? 'approved' : 'recorded', run: await view(after) };
  }
}

/** Distinct approvers of a step on a plan. */
function approvers(snapshot: Snapshot, stepIdx: number, planHash: string): number {
  return new Set(snapshot.approvals.filter((a) => a.stepIdx === stepIdx && a.decision === 'approve' && a.planHash === planHash).map((a) => a.userId)).size;
}
