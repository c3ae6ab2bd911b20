import { withoutPriority, withPriority } from '../request-priority.js';
import type { Definition } from './definitions.js';
import { inDowntime } from './plan.js';
import type { Step } from '../runbooks/runbook.js';
import type { Snapshot, StepState } from './run-store.js';
import { isSettled } from './view.js';
import { runAction } from './steps/action.js';
import { runApproval } from './steps/approval.js';
import { runCheck } from './steps/check.js';
import { skipUnwanted } from './steps/condition.js';
import type { Next, StepKit } from './steps/kit.js';
import { runManual } from './steps/manual.js';
import { failRun, finish, stopRun } from './steps/outcomes.js';
import { runWait } from './steps/wait.js';

/**
 * One pass over a run as the store holds it: refuse a runbook that changed under the run, stop at
 * a cancel (never in the middle of an action), start a pending run, or execute the current step.
 */
export async function runPass<Deps>(kit: StepKit<Deps>, snap: Snapshot): Promise<Next> {
  let def: Definition<Deps>;
  try {
    def = await kit.o.definitions.forRun(snap);
  } catch (error) {
    return failRun(kit, snap, null, kit.runError('runbook_changed', null, error instanceof Error ? error.message : String(error)));
  }
  const drift = snap.steps.find((s) => def.steps[s.idx]?.title !== s.title || def.steps[s.idx]?.kind !== s.kind);
  if (drift || def.steps.length !== snap.steps.length) {
    return failRun(kit, snap, null, kit.runError('runbook_changed', null, `The ${snap.run.runbook} runbook's steps changed since this run started.`));
  }
  const state = snap.steps.find((s) => !isSettled(s.status));
  if (!state) return finish(kit, snap);
  const step = def.steps[state.idx]!;
  kit.atWait(snap.run.id, step.kind === 'wait');
  // Never stop in the middle of an action: its outcome must be known first.
  const cancel = snap.run.cancelRequest;
  if (cancel && !(step.kind === 'action' && state.status === 'running')) {
    const code = cancel.code ?? 'cancelled';
    const message = `${code === 'approval_rejected' ? 'Rejected' : 'Cancelled'} by ${cancel.by}${cancel.reason ? `: ${cancel.reason}` : ''}`;
    return stopRun(kit, snap, state, { ...kit.runError(code, state, message), by: cancel.by });
  }
  if (snap.run.status === 'pending') {
    await kit.commit(snap, { run: { status: 'running' }, audit: [{ type: 'run.started', actor: 'engine' }] });
    return 'continue';
  }
  // While the app's writes are stopped, the run's requests and store writes go ahead of other runs'
  // polling, and so do its next passes (the driver asks the kit): a cutover queued behind 200 runs'
  // waits is downtime for the app. Past the cutover the pass is background work again.
  const cutover = inDowntime(def.downtime, state.idx);
  kit.atCutover(snap.run.id, cutover);
  const work = () => runStep(kit, snap, def, state, step);
  return cutover ? withPriority('cutover', work) : withoutPriority(work);
}

async function runStep<Deps>(kit: StepKit<Deps>, snap: Snapshot, def: Definition<Deps>, state: StepState, step: Step<Deps>): Promise<Next> {
  if (step.when && state.status === 'pending') {
    const skipped = await skipUnwanted(kit, snap, def, state, step);
    if (skipped) return skipped;
  }
  switch (step.kind) {
    case 'check':
      return runCheck(kit, snap, def, state, step);
    case 'action':
      return runAction(kit, snap, def, state, step);
    case 'wait':
      return runWait(kit, snap, def, state, step);
    case 'approval':
      return runApproval(kit, snap, def, state, step);
    case 'manual':
      return runManual(kit, snap, def, state, step);
  }
}
