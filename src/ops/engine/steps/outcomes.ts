import ms from 'ms';
import type { ActionStep, Step } from '../../runbooks/runbook.js';
import { toMs } from '../durations.js';
import { classifyError, failureCode, stepFailure, type Failure } from '../failure.js';
import type { Change, Snapshot, StepState } from '../run-store.js';
import type { RunError } from '../types.js';
import type { Next, StepKit } from './kit.js';

/**
 * How a step ends: done, retried after a transient error, or the run failed, stopped or finished.
 * Each writes the run's new state and its audit events in one transition.
 */

/** Heroku's clients back off at least this long after a 429. */
const RATE_LIMIT_BACKOFF_MS = 30_000;
/** What refuses a request with 409 (a Heroku Connect poll, another operation on the app) lasts tens of seconds at least. */
const CONFLICT_BACKOFF_MS = 30_000;

export async function complete<Deps>(
  kit: StepKit<Deps>,
  snap: Snapshot,
  state: StepState,
  set: { input?: Record<string, unknown>; attempts?: number },
  detail: Record<string, unknown> = {},
): Promise<Next> {
  await kit.commit(snap, {
    run: kit.resumed(snap),
    step: {
      idx: state.idx,
      set: {
        status: 'done',
        startedAt: state.startedAt ?? kit.iso(),
        finishedAt: kit.iso(),
        nextPollAt: null,
        error: null,
        ...set,
        input: set.input && Object.keys(set.input).length > 0 ? set.input : null,
      },
    },
    audit: [{ type: 'step.done', actor: 'engine', stepIdx: state.idx, detail }],
  });
  await kit.hook('after_step', snap, state);
  return 'continue';
}

/**
 * Transient errors (and, with `retryConflict`, a 409) are retried with bounded backoff (an action
 * is re-probed first); others fail the run.
 */
export async function retryOrFail<Deps>(
  kit: StepKit<Deps>,
  snap: Snapshot,
  state: StepState,
  step: Step<Deps>,
  error: unknown,
  options: { retryConflict?: boolean; pending?: boolean } = {},
): Promise<Next> {
  const failure = classifyError(error);
  const conflict = options.retryConflict === true && failure.conflict;
  const retries = state.retries + 1;
  if (conflict && step.kind === 'action' && step.retryRefused) return retryRefused(kit, snap, state, step, failure, retries);
  const retry = kit.o.retry;
  if (!(failure.transient || conflict) || retries >= retry.attempts) {
    return failRun(kit, snap, state, failureOf(failure, state, step));
  }
  let delay = Math.min(retry.baseMs * 2 ** (retries - 1), retry.maxMs);
  if (failure.status === 429) delay = Math.max(delay, RATE_LIMIT_BACKOFF_MS);
  if (conflict) delay = Math.max(delay, CONFLICT_BACKOFF_MS);
  const until = kit.nowMs() + kit.scaled(delay);
  const seen = failureOf(failure, state, step);
  await kit.commit(snap, {
    step: {
      idx: state.idx,
      set: options.pending
        ? { retries, nextPollAt: new Date(until).toISOString(), error: seen }
        : { status: 'running', retries, startedAt: state.startedAt ?? kit.iso(), nextPollAt: new Date(until).toISOString(), error: seen },
    },
    audit: [{ type: 'step.retrying', actor: 'engine', stepIdx: state.idx, detail: { retries, delayMs: delay, error: seen } }],
  });
  return { until };
}

/** How much a refused mutation's pause may grow: this many times its first interval. */
const REFUSED_MAX_FACTOR = 6;
/**
 * A refused mutation is tried at least this often before its timeout fails it, so a process that
 * stalled (or a time scale that shrank the timeout to milliseconds) cannot spend it in one pause.
 */
const REFUSED_MIN_ATTEMPTS = 3;

/**
 * A mutation the resource's state refuses (409) is tried again, its `done` probed first, with a
 * growing pause, until the step's own timeout: "Connections can only be paused when they are in
 * the IDLE state", and a busy one is IDLE again within minutes. Past the timeout, and after at
 * least REFUSED_MIN_ATTEMPTS refusals, the step fails.
 */
async function retryRefused<Deps>(kit: StepKit<Deps>, snap: Snapshot, state: StepState, step: ActionStep<Deps>, failure: Failure, retries: number): Promise<Next> {
  const policy = step.retryRefused!;
  const now = kit.nowMs();
  const startedAt = state.startedAt ?? kit.iso();
  const deadline = Date.parse(startedAt) + kit.scaled(toMs(policy.timeout));
  const seen = failureOf(failure, state, step);
  if (now >= deadline && retries >= REFUSED_MIN_ATTEMPTS) {
    const message = `"${step.title}" was refused for ${ms(toMs(policy.timeout), { long: true })} (last: ${failure.message}).`;
    return failRun(kit, snap, state, stepFailure('wait_timeout', { ...state, next: policy.next }, { message, status: failure.status }));
  }
  const every = toMs(policy.every);
  const delay = Math.min(every * 2 ** Math.min(retries - 1, 10), every * REFUSED_MAX_FACTOR);
  // Past the deadline with too few attempts (a stall), the next one comes at the first interval.
  const until = now >= deadline ? now + kit.scaled(every) : Math.min(now + kit.scaled(delay), deadline);
  await kit.commit(snap, {
    step: { idx: state.idx, set: { status: 'running', retries, startedAt, nextPollAt: new Date(until).toISOString(), error: seen } },
    audit: [{ type: 'step.retrying', actor: 'engine', stepIdx: state.idx, detail: { retries, delayMs: delay, error: seen } }],
  });
  return { until };
}

export function failureOf<Deps>(failure: Failure, state: StepState, step: Step<Deps>): RunError {
  return stepFailure(failureCode(failure), { idx: state.idx, title: state.title, next: step.next }, failure);
}

export async function failRun<Deps>(
  kit: StepKit<Deps>,
  snap: Snapshot,
  state: StepState | null,
  error: RunError,
  input?: Record<string, unknown>,
): Promise<Next> {
  const at = kit.iso();
  const change: Change = {
    run: { status: 'failed', error, finishedAt: at, heldFor: null },
    audit: [
      ...(state ? [{ type: 'step.failed' as const, actor: 'engine', stepIdx: state.idx, detail: { error } }] : []),
      { type: 'run.finished', actor: 'engine', detail: { status: 'failed', code: error.code } },
    ],
    releaseLock: true,
  };
  if (state) {
    const set = { status: 'failed' as const, attempts: state.attempts, finishedAt: at, nextPollAt: null, error };
    change.step = { idx: state.idx, set: input && Object.keys(input).length > 0 ? { ...set, input } : set };
  }
  return end(kit, snap, change);
}

/** Cancelled, rejected or expired: the run stops where it is; its view offers the rollback. */
export async function stopRun<Deps>(kit: StepKit<Deps>, snap: Snapshot, state: StepState, error: RunError): Promise<Next> {
  return end(kit, snap, {
    run: { status: 'cancelled', error, finishedAt: kit.iso(), heldFor: null },
    step: { idx: state.idx, set: { status: 'cancelled', finishedAt: kit.iso(), nextPollAt: null } },
    audit: [{ type: 'run.finished', actor: error.by ?? 'engine', stepIdx: state.idx, detail: { status: 'cancelled', code: error.code } }],
    releaseLock: true,
  });
}

export async function finish<Deps>(kit: StepKit<Deps>, snap: Snapshot): Promise<Next> {
  return end(kit, snap, {
    run: { status: 'succeeded', finishedAt: kit.iso(), heldFor: null },
    audit: [{ type: 'run.finished', actor: 'engine', detail: { status: 'succeeded' } }],
    releaseLock: true,
  });
}

async function end<Deps>(kit: StepKit<Deps>, snap: Snapshot, change: Change): Promise<Next> {
  await kit.commit(snap, change);
  const { id, runbook, app } = snap.run;
  const error = change.run?.error;
  kit.o.logger[error?.code === 'cancelled' || !error ? 'info' : 'warn'](
    { runId: id, runbook, app, status: change.run?.status, code: error?.code, step: error?.step },
    error ? `run ${change.run?.status}: ${error.message}` : 'run succeeded',
  );
  kit.ended(id);
  return 'stop';
}
