import type { Plan, PlanStep, RunView } from '../../ops/engine/types.js';
import type { Consumers } from '../../ops/runbooks/outputs.js';
import type { PlannedConsumers } from '../../ops/runbooks/reads/consumers.js';
import { ACTIONS, encodeButtonValue } from '../actions/button-values.js';
import { consumerLines } from './consumers.js';
import { writerLines } from '../../ops/runbooks/reads/writers.js';
import { actions, button, context, header, section, type Block, type MessageContent } from './blocks.js';
import { clockNote, code, duration, escape, plural, runTime, slackTime } from './format.js';
import { fitMessage, packLines } from './limits.js';
import { approvalsGiven, currentApprovalStep, isFinished } from './run-status.js';

/**
 * The plan card: what a runbook will do to an app, step by step in plain words, the downtime to
 * expect, who must approve, and (on a run's card) every decision taken and the Approve / Reject
 * buttons while approval is open.
 */

export interface PlanCardInput {
  plan: Plan;
  /** The app's approvers as mentions. */
  approvers: string;
  approvalsRequired: number;
  approvalTimeoutMs: number;
  /** The run the card belongs to; absent for a preview (`/connect plan`). */
  run?: RunView;
  /** Preview only: the command that would start it. */
  startWith?: string;
  /** Preview of a cutover: who uses the database, discovered before any run (a run's card reads its `consumers` output). */
  consumers?: PlannedConsumers | { error: string };
}

export function planCard(input: PlanCardInput): MessageContent {
  const { plan, run } = input;
  const blocks: Block[] = [
    header(`${run ? 'Plan' : 'Plan preview'}: ${plan.runbook} ${plan.app}`),
    section([escape(plan.summary), parametersLine(plan), notBeforeLine(run)].filter(Boolean).join('\n')),
    ...packLines(plan.steps.map(stepLine)).map((text) => section(text)),
    ...consumersBlocks(input),
    section(`*Expected downtime:* ${expectedDowntime(plan)}`),
    section(approvalLine(input)),
  ];
  if (run) {
    const decisions = decisionLines(run);
    if (decisions.length > 0) blocks.push(...packLines(decisions).map((text) => section(text)));
    blocks.push(section(approvalState(run, input.approvalsRequired)));
    if (run.status === 'awaiting_approval') blocks.push(decisionButtons(run));
    const note = clockNote(run);
    blocks.push(context(`Run ${code(run.id)} · requested by <@${run.requestedBy}> · plan ${code(run.planHash.slice(0, 12))}${note ? ` · ${note}` : ''}`));
  } else if (input.startWith) {
    blocks.push(context(`Nothing has started. ${code(input.startWith, 200)} starts it.`));
  }
  return { text: `Plan: ${plan.runbook} ${plan.app}`, blocks: fitMessage(blocks) };
}

/** Who uses the database the run replaces: the preview's discovery, or what the run's check recorded. */
function consumersBlocks(input: PlanCardInput): Block[] {
  const recorded = input.run?.outputs.consumers as Consumers | undefined;
  const planned = input.consumers;
  if (planned && 'error' in planned) return [section(`*Who uses the database:* could not be read (${escape(planned.error)}); the run finds them in its first checks.`)];
  const consumers = recorded ?? planned?.consumers;
  if (!consumers) return [];
  const refusal = !recorded && planned?.refusal ? [`:no_entry: *The run will refuse:* ${escape(planned.refusal.reason)} ${escape(planned.refusal.next)}`] : [];
  const writers = writerLines(consumers, input.plan.app, input.plan.steps.map((s) => s.title)).map((line) => `• ${escape(line)}`);
  return packLines(['*Who uses the database:*', ...consumerLines(consumers, input.plan.runbook).map((line) => `• ${line}`), ...refusal, '*Who stops writing, and the proof:*', ...writers]).map((text) => section(text));
}

/**
 * One step of the plan. The card shows the calls that change something; the reads each step makes
 * are in `connect-ops plan` and in the hash approvers approve. A conditional step says when it runs.
 */
export function stepLine(step: PlanStep): string {
  const n = `*${step.idx + 1}.*${step.cites ? ` _${escape(step.cites)}_ ·` : ''}`;
  const title = `${escape(step.title)}${step.when ? ` _(only when ${escape(step.when)})_` : ''}`;
  const changes = step.calls.filter((c) => !c.startsWith('GET '));
  const calls = changes.length > 0 ? ` → ${changes.map((c) => code(c, 120)).join(', ')}` : '';
  switch (step.kind) {
    case 'check':
      return `${n} Check: ${title}${calls}`;
    case 'wait':
      // Runbook titles already read "Wait until …".
      return `${n} ${title}${step.every ? ` (checks every ${step.every}${step.timeout ? `, gives up after ${step.timeout}` : ''})` : ''}${calls}`;
    case 'approval':
      return `${n} :closed_lock_with_key: ${title}`;
    case 'manual':
      return `${n} :raised_hand: By hand: ${title} (confirmed with a button)`;
    case 'action': {
      const downtime = step.downtime === 'starts' ? ' :no_entry: _writes stop here_' : step.downtime === 'ends' ? ' :white_check_mark: _writes resume here_' : '';
      const undo = step.undo ? ` (undo: ${escape(step.undo)})` : '';
      return `${n} ${title}${downtime}${undo}${calls}`;
    }
  }
}

function parametersLine(plan: Plan): string {
  const shown = Object.entries(plan.parametersShown).filter(([key, value]) => key !== 'app' && value !== undefined && value !== null);
  if (shown.length === 0) return '';
  return `*Parameters:* ${shown.map(([key, value]) => `${escape(key)} ${code(Array.isArray(value) ? value.join(' ') : String(value))}`).join(', ')}`;
}

function notBeforeLine(run: RunView | undefined): string {
  return run?.notBefore ? `*Cutover not before:* ${slackTime(run.notBefore)}` : '';
}

export function expectedDowntime(plan: Plan): string {
  const d = plan.expectedDowntime;
  if (!d) return 'none: Heroku Connect keeps syncing throughout.';
  if (d.maxMinutes <= 0) return 'under a minute.';
  if (d.minMinutes === d.maxMinutes) return `about ${plural(d.maxMinutes, 'minute')}.`;
  if (d.minMinutes <= 0) return `up to ${plural(d.maxMinutes, 'minute')}.`;
  return `${d.minMinutes}–${d.maxMinutes} minutes.`;
}

function approvalLine(input: PlanCardInput): string {
  if (!input.plan.steps.some((s) => s.kind === 'approval')) return '*Approval:* none needed.';
  if (input.approvalsRequired === 0) return '*Approval:* none needed by policy for this runbook.';
  const requester = input.run ? `<@${input.run.requestedBy}>` : 'The requester';
  return (
    `*Needs ${plural(input.approvalsRequired, 'approval')}* from distinct approvers: ${input.approvers}. ` +
    `${requester} cannot approve their own run. A request stays open ${duration(input.approvalTimeoutMs)}.`
  );
}

/** Every decision on the run, in order: the audit shown on the card. */
function decisionLines(run: RunView): string[] {
  const lines = run.approvals.map((a) => {
    const what = a.decision === 'approve' ? ':white_check_mark: approved' : ':x: rejected';
    const line = `<@${a.userId}> ${what} ${runTime(run, a.at)}`;
    return a.valid ? line : `~${line}~ (no longer counts: the plan changed)`;
  });
  if (run.error?.code === 'cancelled' && run.error.by) lines.push(`<@${run.error.by}> :octagonal_sign: cancelled the run`);
  if (run.error?.code === 'approval_expired') lines.push(':hourglass: The approval request expired.');
  return lines;
}

function approvalState(run: RunView, required: number): string {
  if (run.error?.code === 'approval_rejected') return `*Rejected*${run.error.by ? ` by <@${run.error.by}>` : ''}: the run stopped before the cutover.`;
  if (run.error?.code === 'approval_expired') return '*Expired:* nothing was approved in time; start the run again to ask anew.';
  const step = currentApprovalStep(run);
  if (step && run.status === 'awaiting_approval') {
    const until = run.approvalExpiresAt ? `, open until ${runTime(run, run.approvalExpiresAt)}` : '';
    return `*Waiting for approval:* ${approvalsGiven(run, step.idx)} of ${run.approvalsRequired || required}${until}.`;
  }
  if (step?.status === 'pending' && !isFinished(run)) return `Approval opens when the run reaches step ${step.idx + 1}.`;
  // Held past its approvals: only the cutover's time or a maintenance window holds it now.
  if (run.steps.some((s) => s.kind === 'approval' && (s.status === 'done' || s.status === 'held'))) return '*Approved.*';
  return isFinished(run) ? `The run ${run.status}.` : 'No approval is open.';
}

function decisionButtons(run: RunView): Block {
  const step = currentApprovalStep(run);
  const value = encodeButtonValue(run, step?.idx ?? null);
  return actions(`decide:${run.id}`, [
    button({
      actionId: ACTIONS.approve,
      text: 'Approve',
      value,
      style: 'primary',
      confirm: {
        title: 'Approve this plan?',
        text: `${run.runbook} ${run.app}: the run goes on to the cutover when enough approvers have approved.`,
        confirm: 'Approve',
      },
    }),
    button({ actionId: ACTIONS.reject, text: 'Reject', value, style: 'danger' }),
  ]);
}
