import type { ActionStep } from '../../runbooks/runbook.js';
import type { Definition } from '../definitions.js';
import type { Snapshot, StepState } from '../run-store.js';
import { begin } from './cutover-gate.js';
import type { Next, StepKit } from './kit.js';
import { complete, retryOrFail } from './outcomes.js';

/**
 * An action is probed before its mutation: when `done` holds, the mutation already took effect
 * (before a crash, or before the run) and is not issued again. Otherwise the attempt is written,
 * the mutation issued, and its success written: a crash in between is resolved by the next probe.
 */
export async function runAction<Deps>(kit: StepKit<Deps>, snap: Snapshot, def: Definition<Deps>, state: StepState, step: ActionStep<Deps>): Promise<Next> {
  const sleep = kit.due(state) ?? (await begin(kit, snap, def, state));
  if (sleep) return sleep;
  const { ctx, reads } = kit.context(snap, def, state);
  try {
    if (await step.done(ctx)) return complete(kit, snap, state, { input: reads }, { alreadyInEffect: true });
  } catch (error) {
    return retryOrFail(kit, snap, state, step, error);
  }
  const attempt = state.attempts + 1;
  await kit.commit(snap, {
    run: kit.resumed(snap),
    step: { idx: state.idx, set: { status: 'running', attempts: attempt, startedAt: state.startedAt ?? kit.iso(), nextPollAt: null } },
    audit: [{ type: 'step.started', actor: 'engine', stepIdx: state.idx, detail: { attempt } }],
  });
  await kit.hook('before_do', snap, state);
  try {
    await step.do(ctx);
  } catch (error) {
    // A 409 refused the mutation in the resource's current state: probe again, and retry once that state has passed.
    return retryOrFail(kit, snap, { ...state, attempts: attempt }, step, error, { retryConflict: true });
  }
  await kit.hook('after_do', snap, state);
  return complete(kit, snap, { ...state, attempts: attempt }, { input: reads });
}
