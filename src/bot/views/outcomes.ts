import { EngineError } from '../../ops/engine/errors.js';
import type { CancelOutcome, DecisionOutcome, ManualOutcome, OverrideOutcome, RunView } from '../../ops/engine/types.js';
import { code, slackTime, untrusted } from './format.js';
import { approvalsGiven, runStatusWords } from './run-status.js';

/** What the user who clicked or typed is told, for every outcome the engine can answer. */

export function decisionText(outcome: DecisionOutcome, runId: string, run?: RunView): string {
  const id = code(runId);
  switch (outcome) {
    case 'recorded':
      return `Your approval of ${id} is recorded${run ? `: ${approvalsGiven(run)} of ${run.approvalsRequired}` : ''}. More approvers are needed.`;
    case 'approved':
      return `Approved: ${id} has its approvals and goes on.`;
    case 'rejected':
      return `You rejected ${id}: the run stops before the cutover.`;
    case 'already_decided':
      return `You already decided on ${id}; a second click changes nothing.`;
    case 'self_approval':
      return `You requested ${id}, so you cannot approve it: another approver has to.`;
    case 'expired':
      return `The approval request of ${id} expired${run?.approvalExpiresAt ? ` ${slackTime(run.approvalExpiresAt)}` : ''}; nothing was recorded. Start the run again to ask anew.`;
    case 'plan_changed':
      return `The plan of ${id} changed after the card you clicked was posted; nothing was recorded. Read the updated plan card, then decide.`;
    case 'not_awaiting_approval':
      return `${id} is not waiting for approval${run ? ` (it is ${runStatusWords(run.status)})` : ''}; nothing was recorded.`;
    case 'run_finished':
      return `${id} already ${run ? runStatusWords(run.status) : 'finished'}; nothing was recorded.`;
    case 'run_not_found':
      return notFound(runId);
  }
}

export function manualText(outcome: ManualOutcome, runId: string, run?: RunView): string {
  switch (outcome) {
    case 'completed':
      return `Thanks: the step is confirmed and ${code(runId)} goes on.`;
    case 'already_completed':
      return 'This step was already confirmed; nothing changed.';
    case 'not_awaiting_manual':
      return `${code(runId)} is not waiting for this step${run ? ` (it is ${runStatusWords(run.status)})` : ''}.`;
    case 'run_finished':
      return `${code(runId)} already ${run ? runStatusWords(run.status) : 'finished'}.`;
    case 'run_not_found':
      return notFound(runId);
  }
}

export function cancelText(outcome: CancelOutcome, runId: string, run?: RunView): string {
  switch (outcome) {
    case 'cancelled':
      return `${code(runId)} is cancelled.${run?.rollback && run.rollback.steps.length > 0 ? ' Its thread offers to roll back what it changed.' : ''}`;
    case 'cancelling':
      return `${code(runId)} stops at its next safe point: a step is in flight and finishes first.`;
    case 'run_finished':
      return `${code(runId)} already ${run ? runStatusWords(run.status) : 'finished'}; there is nothing to cancel.`;
    case 'run_not_found':
      return notFound(runId);
  }
}

export function overrideText(outcome: OverrideOutcome, runId: string, run?: RunView): string {
  switch (outcome) {
    case 'overridden':
      return `Hold overridden: ${code(runId)} goes on despite the maintenance window.`;
    case 'not_held':
      return `${code(runId)} is not held for maintenance; nothing changed.`;
    case 'run_finished':
      return `${code(runId)} already ${run ? runStatusWords(run.status) : 'finished'}; there is no hold to override.`;
    case 'run_not_found':
      return notFound(runId);
  }
}

export function notFound(runId: string): string {
  return `No run ${code(runId)}. \`/connect runs\` lists the recent ones.`;
}

/** An EngineError refusal, said with its remedy; anything else as a redacted one-liner. */
export function errorText(error: unknown): string {
  if (error instanceof EngineError) {
    switch (error.code) {
      case 'invalid_params':
        return `The runbook does not accept these parameters:\n${error.problems.map((p) => `• ${untrusted(p, 300)}`).join('\n')}`;
      case 'app_locked':
        return `The app already has a run in progress${error.runId ? `: ${code(error.runId)}. \`/connect cancel ${error.runId}\` stops it` : ''}. One run per app at a time.`;
      case 'run_not_found':
        return error.runId ? notFound(error.runId) : untrusted(error.message);
      default:
        return untrusted(error.message);
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return `Something went wrong: ${untrusted(message, 300)}. The bot's logs have the details.`;
}
