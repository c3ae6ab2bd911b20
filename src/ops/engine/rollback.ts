import { action, type ActionStep, type Step } from '../runbooks/runbook.js';
import type { StepState } from './run-store.js';
import type { RollbackReport } from './types.js';

/**
 * What a stopped run changed and how to undo it: the undo of every action the run itself performed,
 * newest first. An action found already in effect before its first attempt was not the run's doing,
 * so it is neither reported as changed nor undone.
 */
export function rollbackOf<Deps>(
  definition: ReadonlyArray<Step<Deps>>,
  states: StepState[],
): { report: RollbackReport; actions: Array<ActionStep<Deps>> } {
  const report: RollbackReport = { changed: [], steps: [], notUndoable: [] };
  const actions: Array<ActionStep<Deps>> = [];
  for (const state of states) {
    const step = definition[state.idx];
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
