import type { Step } from '../../runbooks/runbook.js';
import type { Definition } from '../definitions.js';
import type { Snapshot, StepState } from '../run-store.js';
import type { Next, StepKit } from './kit.js';
import { retryOrFail } from './outcomes.js';

/**
 * A conditional step reads its condition when it is reached: the branch not taken is recorded as
 * skipped with the condition's reason (never as done), and the run goes on with the next step.
 * Undefined when the step is wanted and runs as its kind says.
 */
export async function skipUnwanted<Deps>(kit: StepKit<Deps>, snap: Snapshot, def: Definition<Deps>, state: StepState, step: Step<Deps>): Promise<Next | undefined> {
  const sleep = kit.due(state);
  if (sleep) return sleep;
  const { ctx, reads } = kit.context(snap, def, state);
  let result;
  try {
    result = await step.when!.test(ctx);
  } catch (error) {
    // The step has not begun: it stays pending, so its condition is read again first.
    return retryOrFail(kit, snap, state, step, error, { pending: true });
  }
  if (result.holds) return undefined;
  await kit.hook('before_step', snap, state);
  await kit.commit(snap, {
    run: kit.resumed(snap),
    step: {
      idx: state.idx,
      set: { status: 'skipped', skipReason: result.because, finishedAt: kit.iso(), nextPollAt: null, error: null, input: Object.keys(reads).length > 0 ? reads : null },
    },
    audit: [{ type: 'step.skipped', actor: 'engine', stepIdx: state.idx, detail: { reason: result.because } }],
  });
  await kit.hook('after_step', snap, state);
  return 'continue';
}
