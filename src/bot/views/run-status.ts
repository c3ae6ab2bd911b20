import type { RunStatus, RunView, StepStatus } from '../../ops/engine/types.js';
import { escape } from './format.js';

/** How a run's and a step's status read in messages. */

export function isFinished(run: Pick<RunView, 'status'>): boolean {
  return run.status === 'succeeded' || run.status === 'failed' || run.status === 'cancelled';
}

const RUN_STATUS: Record<RunStatus, [emoji: string, words: string]> = {
  pending: [':hourglass_flowing_sand:', 'starting'],
  running: [':arrows_counterclockwise:', 'running'],
  awaiting_approval: [':closed_lock_with_key:', 'waiting for approval'],
  awaiting_manual: [':raised_hand:', 'waiting for a manual step'],
  scheduled: [':calendar:', 'approved, scheduled'],
  held_for_maintenance: [':double_vertical_bar:', 'held for a maintenance window'],
  succeeded: [':white_check_mark:', 'succeeded'],
  failed: [':x:', 'failed'],
  cancelled: [':octagonal_sign:', 'cancelled'],
};

export function runStatusEmoji(status: RunStatus): string {
  return RUN_STATUS[status][0];
}

export function runStatusWords(status: RunStatus): string {
  return RUN_STATUS[status][1];
}

export const STEP_EMOJI: Record<StepStatus, string> = {
  pending: ':white_small_square:',
  running: ':arrows_counterclockwise:',
  waiting: ':hourglass_flowing_sand:',
  held: ':double_vertical_bar:',
  done: ':white_check_mark:',
  skipped: ':fast_forward:',
  failed: ':x:',
  cancelled: ':no_entry_sign:',
};

/** The approval step open now, else the next one to come. */
export function currentApprovalStep(run: RunView): RunView['steps'][number] | undefined {
  const approvals = run.steps.filter((s) => s.kind === 'approval');
  return approvals.find((s) => s.status === 'held' || s.status === 'waiting' || s.status === 'running') ?? approvals.find((s) => s.status === 'pending');
}

/** Approvals that count toward an approval step: valid ones, one per approver. */
export function approvalsGiven(run: RunView, stepIdx: number | undefined = currentApprovalStep(run)?.idx): number {
  return new Set(run.approvals.filter((a) => a.valid && a.decision === 'approve' && a.stepIdx === stepIdx).map((a) => a.userId)).size;
}

/** Where a run stopped: ` at step 3 (Promote the follower)`, or nothing when no step was under way. */
export function atStep(error: RunView['error']): string {
  if (!error || error.step === null) return '';
  return ` at step ${error.step + 1}${error.stepTitle ? ` (${escape(error.stepTitle)})` : ''}`;
}
