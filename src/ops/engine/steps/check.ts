import type { CheckStep } from '../../runbooks/runbook.js';
import type { Definition } from '../definitions.js';
import { stepFailure } from '../failure.js';
import type { Snapshot, StepState } from '../run-store.js';
import { begin } from './cutover-gate.js';
import type { Next, StepKit } from './kit.js';
import { complete, failRun, retryOrFail } from './outcomes.js';

/** A precondition: probes live state and fails the run with its reason before anything changes. */
export async function runCheck<Deps>(kit: StepKit<Deps>, snap: Snapshot, def: Definition<Deps>, state: StepState, step: CheckStep<Deps>): Promise<Next> {
  const sleep = kit.due(state) ?? (await begin(kit, snap, def, state));
  if (sleep) return sleep;
  await kit.commit(snap, {
    run: kit.resumed(snap),
    step: { idx: state.idx, set: { status: 'running', attempts: state.attempts + 1, startedAt: state.startedAt ?? kit.iso(), nextPollAt: null } },
    audit: state.status === 'pending' ? [{ type: 'step.started', actor: 'engine', stepIdx: state.idx }] : [],
  });
  const { ctx, reads } = kit.context(snap, def, state);
  let result;
  try {
    result = await step.probe(ctx);
  } catch (error) {
    return retryOrFail(kit, snap, state, step, error);
  }
  if (!result.ok) {
    return failRun(kit, snap, state, stepFailure('check_failed', { ...state, next: step.next }, { message: result.reason, next: result.next }), reads);
  }
  return complete(kit, snap, state, { input: reads });
}
