import { action, manual, type Step } from '../runbooks/runbook.js';
import type { StepState } from './run-store.js';
import type { RollbackReport } from './types.js';

/**
 * What a stopped run changed and how to undo it: the undo of every action the run itself performed,
 * newest first. An action found already in effect before its first attempt was not the run's doing,
 * so it is neither reported as changed nor undone. A manual step with an undo (the Scheduler jobs a
 * person disabled) is undone by a person too: once confirmed, or once its instructions were shown
 * when the run stopped (the person may have done part of it).
 */
export function rollbackOf<Deps>(
  definition: ReadonlyArray<Step<Deps>>,
  states: StepState[],
): { report: RollbackReport; actions: Array<Step<Deps>> } {
  const report: RollbackReport = { changed: [], steps: [], notUndoable: [] };
  const actions: Array<Step<Deps>> = [];
  for (const state of states) {
    const step = definition[state.idx];
    if (step?.kind === 'manual' && step.undo) {
      const undo = step.undo;
      const shown = state.status === 'done' || (state.status !== 'skipped' && state.status !== 'pending' && state.startedAt !== null);
      // The run's own later step already did it (the Scheduler enabled again at the end): nothing to undo.
      const undone = states.some((s) => s.idx > state.idx && s.status === 'done' && definition[s.idx]?.title === undo.title);
      if (!shown || undone) continue;
      report.changed.push(step.title);
      report.steps.unshift({ title: step.undo.title, calls: [], undoes: step.title });
      actions.unshift(manual(step.undo.title, step.undo.instructions));
      continue;
    }
    if (step?.kind !== 'action' || state.status !== 'done' || state.attempts === 0) continue;
    report.changed.push(step.title);
    if (!step.undo) {
      report.notUndoable.push(step.title);
      continue;
    }
    report.steps.unshift({ title: step.undo.title, calls: [...step.undo.calls], undoes: step.title });
    actions.unshift(action(step.undo.title, { do: step.undo.do, done: step.undo.done, calls: step.undo.calls }));
  }
  return { report, actions };
}
