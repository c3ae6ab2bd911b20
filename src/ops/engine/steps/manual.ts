import type { ManualStep } from '../../runbooks/runbook.js';
import type { Definition } from '../definitions.js';
import type { Snapshot, StepState } from '../run-store.js';
import { begin } from './cutover-gate.js';
import type { Next, StepKit } from './kit.js';
import { retryOrFail } from './outcomes.js';

/** A human step outside the APIs: shows its instructions and holds until someone confirms it. */
export async function runManual<Deps>(kit: StepKit<Deps>, snap: Snapshot, def: Definition<Deps>, state: StepState, step: ManualStep<Deps>): Promise<Next> {
  if (state.status === 'held') return 'stop';
  const sleep = kit.due(state) ?? (await begin(kit, snap, def, state));
  if (sleep) return sleep;
  const { ctx } = kit.context(snap, def, state);
  let instructions;
  try {
    instructions = await step.instructions(ctx);
  } catch (error) {
    return retryOrFail(kit, snap, state, step, error);
  }
  await kit.commit(snap, {
    run: { status: 'awaiting_manual', heldFor: null },
    step: { idx: state.idx, set: { status: 'held', startedAt: kit.iso(), instructions, nextPollAt: null } },
    audit: [{ type: 'manual.requested', actor: 'engine', stepIdx: state.idx, detail: { instructions } }],
  });
  return 'stop';
}
