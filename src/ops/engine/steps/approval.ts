import ms from 'ms';
import type { ApprovalStep } from '../../runbooks/runbook.js';
import type { Definition } from '../definitions.js';
import type { Snapshot, StepState } from '../run-store.js';
import { runHash } from '../plan.js';
import { approvalExpiry } from '../view.js';
import { gate } from './cutover-gate.js';
import type { Next, StepKit } from './kit.js';
import { complete, stopRun } from './outcomes.js';

/** Holds until enough distinct approvers approved this plan; the first approval step is also the cutover gate. */
export async function runApproval<Deps>(kit: StepKit<Deps>, snap: Snapshot, def: Definition<Deps>, state: StepState, step: ApprovalStep<Deps>): Promise<Next> {
  const { run } = snap;
  const required = run.approvalsRequired;
  const timeScale = kit.o.timeScale;
  const requestedAt = kit.iso();
  const expiry = required > 0 ? new Date(approvalExpiry(requestedAt, run.approvalTimeoutMs, timeScale)).toISOString() : null;
  // What approvers approve: the plan, and what the run recorded for them to see (a cutover's consumers).
  const hash = runHash(def.plan, def.steps, run.outputs);
  if (state.status === 'pending') {
    await kit.hook('before_step', snap, state);
    await kit.commit(snap, {
      run: { status: 'awaiting_approval', ...(hash !== run.planHash && { planHash: hash }) },
      step: { idx: state.idx, set: { status: 'held', startedAt: requestedAt, nextPollAt: expiry } },
      audit: [{ type: 'approval.requested', actor: 'engine', stepIdx: state.idx, detail: { required, planHash: hash } }],
    });
    return 'continue';
  }
  if (hash !== run.planHash) {
    // The plan changed (a runbook's calls changed in a deploy): approvals given to the old one are void.
    await kit.commit(snap, {
      run: { planHash: hash, status: 'awaiting_approval', heldFor: null },
      step: { idx: state.idx, set: { startedAt: requestedAt, nextPollAt: expiry } },
      audit: [{ type: 'approval.voided', actor: 'engine', stepIdx: state.idx, detail: { previous: run.planHash, planHash: hash } }],
    });
    return 'continue';
  }
  const approvers = snap.approvals.filter((a) => a.stepIdx === state.idx && a.decision === 'approve' && a.planHash === run.planHash);
  if (approvers.length < required) {
    const expiresAt = approvalExpiry(state.startedAt!, run.approvalTimeoutMs, timeScale);
    if (kit.nowMs() < expiresAt) return { until: expiresAt };
    const message = `The approval request expired after ${ms(run.approvalTimeoutMs, { long: true })} with ${approvers.length} of ${required} approvals.`;
    return stopRun(kit, snap, state, { ...kit.runError('approval_expired', state, message), by: 'engine' });
  }
  const held = await gate(kit, snap, def, state);
  if (held) return held;
  return complete(kit, snap, state, {}, { approvers: approvers.map((a) => a.userId), title: step.title });
}
