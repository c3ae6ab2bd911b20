import type { Plan, RunView, StepView } from '../../ops/engine/types.js';
import { ACTIONS, encodeButtonValue } from '../actions/button-values.js';
import { actions, button, context, section, type Block, type MessageContent } from './blocks.js';
import { clockNote, code, downtimeTaken, duration, elapsed, escape, linked, plural, runTime, slackTime, untrusted } from './format.js';
import { fitMessage, packLines } from './limits.js';
import { expectedDowntime } from './plan-card.js';
import { atStep } from './run-status.js';

/**
 * Thread replies under the run message, one for each thing a human has to act on or know: an
 * approval wanted, a manual step with its Done button, a maintenance hold, and the final summary
 * (with the failure, its reason and the next step, and the downtime actually taken).
 */

export function approvalWanted(run: RunView, approvers: string): MessageContent {
  const until = run.approvalExpiresAt ? ` before ${runTime(run, run.approvalExpiresAt)}` : '';
  const note = clockNote(run);
  const text =
    `:closed_lock_with_key: *Approval wanted* from ${approvers}: ${plural(run.approvalsRequired, 'approver')} must approve ` +
    `the plan card${until}. <@${run.requestedBy}> asked for it and cannot approve it.`;
  return { text: `Approval wanted: ${run.runbook} ${run.app}`, blocks: [section(text), ...(note ? [context(note)] : [])] };
}

export function manualStepRequest(run: RunView, step: StepView): MessageContent {
  const instructions = step.instructions ? untrusted(step.instructions, 2500) : 'See the runbook for what to do.';
  const blocks: Block[] = [
    section(`:raised_hand: *Step ${step.idx + 1}: ${escape(step.title)}*\n${instructions}`),
    section('An operator presses *Done* once it is done; the run goes on from there.'),
    actions(`manual:${run.id}:${step.idx}`, [
      button({
        actionId: ACTIONS.manualDone,
        text: 'Done',
        value: encodeButtonValue(run, step.idx),
        style: 'primary',
        confirm: { title: 'Is this step done?', text: escape(step.title), confirm: 'It is done', deny: 'Not yet' },
      }),
    ]),
  ];
  return { text: `Manual step: ${step.title}`, blocks: fitMessage(blocks) };
}

export function maintenanceHold(run: RunView): MessageContent {
  const window = run.heldFor;
  const what = window
    ? `${linked(window.title, window.link)} (${slackTime(window.start)} to ${slackTime(window.end)})`
    : 'a Heroku Connect maintenance window';
  const blocks: Block[] = [
    section(
      `:double_vertical_bar: *Held for maintenance:* ${what} overlaps the cutover, so the run waits for it to end. ` +
        'An approver may override the hold and go on anyway.',
    ),
    actions(`hold:${run.id}`, [
      button({
        actionId: ACTIONS.override,
        text: 'Override the hold',
        value: encodeButtonValue(run),
        style: 'danger',
        confirm: {
          title: 'Go on during maintenance?',
          text: 'Heroku may restart or pause Heroku Connect during the window, in the middle of the cutover.',
          confirm: 'Override',
        },
      }),
    ]),
  ];
  return { text: `Held for maintenance: ${run.runbook} ${run.app}`, blocks };
}

/** A window announced after the run started overlaps its cutover: said once in the run's thread. */
export function maintenanceWarning(run: RunView, window: { title: string; start: string; end: string; link: string | null }): MessageContent {
  const what = linked(window.title, window.link);
  return {
    text: `Heroku Connect maintenance overlaps the cutover of ${run.runbook} ${run.app}`,
    blocks: [
      section(
        `:warning: *Heroku Connect maintenance* ${what} (${slackTime(window.start)} to ${slackTime(window.end)}) overlaps this run's cutover. ` +
          'Sync and configuration stop during the window; the cutover will hold until it ends unless an approver overrides. ' +
          'Cancel and plan the run for after the window, or let it wait.',
      ),
    ],
  };
}

export function runSummary(run: RunView, plan: Plan | null): MessageContent {
  const took = duration(elapsed(run, run.createdAt, run.finishedAt) ?? 0);
  const lines: string[] = [];
  if (run.status === 'succeeded') {
    lines.push(`:white_check_mark: *${run.runbook} ${run.app} succeeded* in ${took}.`);
  } else {
    const verb = run.status === 'cancelled' ? 'was cancelled' : 'failed';
    const by = run.error?.by ? ` by <@${run.error.by}>` : '';
    lines.push(`${run.status === 'cancelled' ? ':octagonal_sign:' : ':x:'} *${run.runbook} ${run.app} ${verb}*${by}${atStep(run.error)} after ${took}.`);
    if (run.error) {
      lines.push(`*Reason:* ${untrusted(run.error.message)}${herokuDetail(run)}`);
      lines.push(`*Next:* ${untrusted(run.error.next)}`);
    }
  }
  lines.push(downtimeLine(run, plan));
  lines.push(...followUpLines(run));
  lines.push(...skippedLines(run));
  lines.push(...rollbackLines(run));
  const note = clockNote(run);
  if (note) lines.push(`_${note}._`);
  const blocks: Block[] = packLines(lines).map((text) => section(text));
  if (run.rollback && run.rollback.steps.length > 0) {
    blocks.push(
      actions(`rollback:${run.id}`, [
        button({
          actionId: ACTIONS.rollback,
          text: 'Roll back',
          value: encodeButtonValue(run),
          confirm: {
            title: 'Roll back this run?',
            text: `Starts a run with the ${plural(run.rollback.steps.length, 'undo step')} listed above.`,
            confirm: 'Roll back',
          },
        }),
      ]),
    );
  }
  return { text: `${run.runbook} ${run.app}: ${run.status}`, blocks: fitMessage(blocks) };
}

function herokuDetail(run: RunView): string {
  const e = run.error;
  if (!e?.herokuId && !e?.status) return '';
  const parts = [e.herokuId ? code(e.herokuId) : '', e.status ? `HTTP ${e.status}` : '', e.requestId ? `request ${code(e.requestId)}` : ''];
  return ` (Heroku: ${parts.filter(Boolean).join(', ')})`;
}

function downtimeLine(run: RunView, plan: Plan | null): string {
  const expected = plan ? ` (expected: ${expectedDowntime(plan).replace(/\.$/, '')})` : '';
  if (!run.downtime) return `*Downtime taken:* none${expected}.`;
  if (run.downtime.endedAt === null) return `:warning: *Writes are still stopped* since ${runTime(run, run.downtime.startedAt)}${expected}.`;
  return `*Downtime taken:* ${downtimeTaken(run.downtime, run.timeScale)}${expected}.`;
}

/** What the run leaves to do by hand (followers of the old database...), as its steps recorded it (`followUps`). */
function followUpLines(run: RunView): string[] {
  const followUps = run.outputs.followUps;
  if (!Array.isArray(followUps)) return [];
  return followUps.filter((f): f is string => typeof f === 'string').map((f) => `:point_right: *Left to do:* ${untrusted(f, 1000)}`);
}

/** The branches the run did not take, each with its reason: skipped, not done. */
function skippedLines(run: RunView): string[] {
  return run.steps
    .filter((s) => s.status === 'skipped')
    .map((s) => `:fast_forward: *Skipped step ${s.idx + 1}* (${escape(s.title)})${s.skipReason ? `: ${untrusted(s.skipReason, 300)}` : ''}`);
}

function rollbackLines(run: RunView): string[] {
  const report = run.rollback;
  if (!report || run.status === 'succeeded') return [];
  const lines: string[] = [];
  if (report.changed.length > 0) lines.push(`*What the run changed:* ${report.changed.map(escape).join('; ')}.`);
  if (report.steps.length > 0) lines.push(`*Roll back* would: ${report.steps.map((s) => escape(s.title)).join('; ')}.`);
  if (report.notUndoable.length > 0) lines.push(`*Not undoable, consider by hand:* ${report.notUndoable.map(escape).join('; ')}.`);
  return lines;
}
