import ms from 'ms';
import type { WaitStep } from '../../runbooks/runbook.js';
import type { Definition } from '../definitions.js';
import { toMs } from '../durations.js';
import { classifyError, stepFailure } from '../failure.js';
import { inDowntime } from '../plan.js';
import { budgetFloor, firstPollDelay, nextPollInterval } from '../poll-interval.js';
import type { Snapshot, StepState } from '../run-store.js';
import { begin } from './cutover-gate.js';
import type { Next, StepKit } from './kit.js';
import { complete, failRun, failureOf } from './outcomes.js';

/** A wait polls no slower than this many times its first interval unless the runbook says otherwise. */
const DEFAULT_MAX_FACTOR = 6;

/** Polls a condition with backoff within the polling budget, until it holds or the timeout passes. */
export async function runWait<Deps>(kit: StepKit<Deps>, snap: Snapshot, def: Definition<Deps>, state: StepState, step: WaitStep<Deps>): Promise<Next> {
  const every = toMs(step.every);
  // While writes are stopped a wait keeps its own pace (the polling budget never stretches a cutover).
  const cutover = inDowntime(def.downtime, state.idx);
  if (state.status === 'pending') {
    const held = await begin(kit, snap, def, state);
    if (held) return held;
    kit.settled(snap.run.id);
    const first = firstPollDelay({ every, expectedMin: step.expect ? Math.min(...step.expect.map(toMs)) : 0, cutover });
    await kit.commit(snap, {
      run: kit.resumed(snap),
      step: { idx: state.idx, set: { status: 'waiting', startedAt: kit.iso(), pollIntervalMs: every, nextPollAt: first > 0 ? new Date(kit.nowMs() + kit.scaled(first)).toISOString() : null } },
      audit: [{ type: 'step.started', actor: 'engine', stepIdx: state.idx }],
    });
    return 'continue';
  }
  const sleep = kit.due(state);
  if (sleep) return sleep;
  const { ctx, reads } = kit.context(snap, def, state);
  const attempts = state.attempts + 1;
  let result;
  try {
    result = await step.until(ctx);
  } catch (error) {
    const failure = classifyError(error);
    if (!failure.transient) return failRun(kit, snap, { ...state, attempts }, failureOf(failure, state, step), reads);
    // A hiccup is a poll that saw nothing new; the timeout still bounds the wait.
    result = { done: false as const, progress: state.progress ?? undefined };
  }
  if (result.done) {
    kit.settled(snap.run.id);
    return complete(kit, snap, { ...state, attempts }, { input: reads, attempts });
  }
  const now = kit.nowMs();
  const deadline = Date.parse(state.startedAt!) + kit.scaled(toMs(step.timeout));
  const progress = result.progress ?? null;
  if (now >= deadline) {
    const last = progress ? ` (last seen: ${progress})` : '';
    const message = `"${step.title}" did not happen within ${ms(toMs(step.timeout), { long: true })}${last}.`;
    // The advice fits what the last poll saw, when the runbook gave one for it.
    const next = result.next;
    return failRun(kit, snap, { ...state, attempts }, stepFailure('wait_timeout', { ...state, next: step.next }, { message, next }), reads);
  }
  // What the probe's drain predicts, else what the awaited thing usually takes from the wait's start.
  const usually = result.usually === undefined ? undefined : Date.parse(state.startedAt!) + kit.scaled(result.usually) - now;
  const predicted = kit.predict(snap.run.id, state.idx, result.remaining) ?? usually;
  const interval = Math.max(
    nextPollInterval({
      every,
      max: step.max === undefined ? every * DEFAULT_MAX_FACTOR : toMs(step.max),
      elapsed: kit.unscaled(now - Date.parse(state.startedAt!)),
      near: result.near ?? false,
      predicted: predicted === undefined ? undefined : kit.unscaled(predicted),
      cutover,
    }),
    cutover ? 0 : budgetFloor(await kit.waitingRuns(), kit.o.pollBudgetPerHour),
  );
  const until = Math.min(now + kit.scaled(interval), deadline);
  // Only a change of progress is an event; a poll that saw nothing new just stores its next time.
  await kit.commit(snap, {
    step: { idx: state.idx, set: { attempts, progress, pollIntervalMs: interval, nextPollAt: new Date(until).toISOString() } },
    audit: progress !== state.progress ? [{ type: 'step.progress', actor: 'engine', stepIdx: state.idx, detail: { progress } }] : [],
  });
  return { until };
}
