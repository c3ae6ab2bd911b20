import type { RunView, StepView } from '../../ops/engine/types.js';
import { ACTIONS, encodeButtonValue } from '../actions/button-values.js';
import { actions, button, context, header, section, type Block, type MessageContent } from './blocks.js';
import { clockNote, code, downtimeTaken, duration, elapsed, escape, runTime, slackTime, untrusted } from './format.js';
import { fitMessage, packLines } from './limits.js';
import { approvalsGiven, atStep, isFinished, runStatusEmoji, runStatusWords, STEP_EMOJI } from './run-status.js';

/**
 * The run message: one message per run, edited in place as it progresses. Each step shows its
 * status and duration, and a waiting step says what it waits for and since when.
 */
export function runMessage(run: RunView): MessageContent {
  const words = runStatusWords(run.status);
  const blocks: Block[] = [
    header(`${runStatusEmoji(run.status)} ${run.runbook} ${run.app}: ${words}`),
    context(
      [`Run ${code(run.id)}`, `requested by <@${run.requestedBy}>`, slackTime(run.createdAt), run.rollbackOf && `rolls back ${code(run.rollbackOf)}`, clockNote(run)]
        .filter(Boolean)
        .join(' · '),
    ),
    ...packLines(run.steps.map((step) => stepLine(run, step))).map((text) => section(text)),
  ];
  const state = stateLines(run);
  if (state.length > 0) blocks.push(section(state.join('\n')));
  if (!isFinished(run)) {
    blocks.push(
      actions(`run:${run.id}`, [
        button({
          actionId: ACTIONS.cancel,
          text: 'Cancel run',
          value: encodeButtonValue(run),
          style: 'danger',
          confirm: {
            title: 'Cancel this run?',
            text: 'The run stops at its next safe point; a step in flight finishes first. Rolling back is offered afterwards.',
            confirm: 'Cancel run',
            deny: 'Keep running',
          },
        }),
      ]),
    );
  }
  return { text: `${run.runbook} ${run.app}: ${words}`, blocks: fitMessage(blocks) };
}

export function stepLine(run: RunView, step: StepView): string {
  const line = `${STEP_EMOJI[step.status]} *${step.idx + 1}.* ${escape(step.title)}`;
  const since = step.startedAt ? ` since ${runTime(run, step.startedAt, 'time')}` : '';
  switch (step.status) {
    case 'done': {
      const took = elapsed(run, step.startedAt, step.finishedAt);
      return took === null ? line : `${line} — ${duration(took)}`;
    }
    case 'skipped':
      // The branch not taken: never shown as done.
      return `${line} — skipped${step.skipReason ? `: ${untrusted(step.skipReason, 300)}` : ''}`;
    case 'running':
      return `${line} — running${since}${step.attempts > 1 ? ` (attempt ${step.attempts})` : ''}`;
    case 'waiting':
    case 'held':
      return `${line} — ${waitingFor(run, step)}`;
    case 'failed':
      return `${line} — failed${step.attempts > 1 ? ` after ${step.attempts} attempts` : ''}${step.error ? `: ${untrusted(step.error.message, 400)}` : ''}`;
    case 'cancelled':
      return `${line} — cancelled`;
    case 'pending':
      return line;
  }
}

function waitingFor(run: RunView, step: StepView): string {
  const since = step.startedAt ? ` since ${runTime(run, step.startedAt, 'time')}` : '';
  switch (step.kind) {
    case 'approval': {
      if (run.status === 'scheduled' && run.notBefore) return `approved; the cutover waits until ${slackTime(run.notBefore)}`;
      if (run.status === 'held_for_maintenance' && run.heldFor) {
        return `approved; held for ${escape(run.heldFor.title)} until ${slackTime(run.heldFor.end)}`;
      }
      const until = run.approvalExpiresAt ? `, open until ${runTime(run, run.approvalExpiresAt)}` : '';
      return `waiting for approval${since}: ${approvalsGiven(run, step.idx)} of ${run.approvalsRequired}${until}`;
    }
    case 'manual':
      return `waiting${since} for someone to do it and press Done (see the thread)`;
    default: {
      const progress = step.progress ? `: ${untrusted(step.progress, 200)}` : '';
      const next = step.nextPollAt ? `, next check ${runTime(run, step.nextPollAt, 'time')}` : '';
      return `waiting${since}${progress}${next}`;
    }
  }
}

function stateLines(run: RunView): string[] {
  const lines: string[] = [];
  if (run.status === 'scheduled' && run.notBefore) lines.push(`:calendar: Approved; the cutover starts at ${slackTime(run.notBefore)}.`);
  if (run.status === 'held_for_maintenance' && run.heldFor) {
    lines.push(`:double_vertical_bar: Held: ${escape(run.heldFor.title)} runs ${slackTime(run.heldFor.start)} to ${slackTime(run.heldFor.end)}.`);
  }
  if (run.downtime) {
    lines.push(
      run.downtime.endedAt === null
        ? `:no_entry: Writes stopped since ${runTime(run, run.downtime.startedAt, 'time')}.`
        : `*Downtime taken:* ${downtimeTaken(run.downtime, run.timeScale)}.`,
    );
  }
  if (run.cancelRequested && !isFinished(run)) lines.push(':octagonal_sign: Cancel requested: the run stops at its next safe point.');
  if (run.error && isFinished(run)) {
    lines.push(`*${run.status === 'cancelled' ? 'Cancelled' : 'Failed'}${atStep(run.error)}:* ${untrusted(run.error.message)}`);
    lines.push(`*Next:* ${untrusted(run.error.next)}`);
  }
  if (isFinished(run) && run.finishedAt) lines.push(`Finished ${runTime(run, run.finishedAt)}, after ${duration(elapsed(run, run.createdAt, run.finishedAt) ?? 0)}.`);
  return lines;
}
