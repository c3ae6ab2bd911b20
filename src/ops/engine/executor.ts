import ms from 'ms';
import type { Logger } from '../../log.js';
import type { ActionStep, ApprovalStep, CheckStep, ManualStep, Step, StepContext, WaitStep } from '../runbooks/runbook.js';
import type { Definition, Definitions } from './definitions.js';
import { toMs } from './durations.js';
import { classifyError, defaultNext, failureCode, stepFailure, type Failure } from './failure.js';
import { budgetFloor, nextPollInterval } from './poll-interval.js';
import type { Change, RunPatch, RunStore, Snapshot, StepState } from './run-store.js';
import { Scheduler } from './scheduler.js';
import type { Transitions } from './transitions.js';
import type { CutoverGuard, MaintenanceWindow, ReasonCode, RunError, TransitionPoint } from './types.js';
import { approvalExpiry, isFinished, isSettled } from './view.js';

/** What a step tells the run loop: go on to the next step, stop (held or finished), or sleep until a time. */
type Next = 'continue' | 'stop' | { until: number };

export interface ExecutorOptions<Deps> {
  runs: RunStore;
  definitions: Definitions<Deps>;
  transitions: Transitions;
  deps: Deps;
  logger: Logger;
  now: () => Date;
  timeScale: number;
  cutoverGuard?: CutoverGuard;
  pollBudgetPerHour: number;
  retry: { attempts: number; baseMs: number; maxMs: number };
  onTransition?: (point: TransitionPoint, runId: string, stepIdx: number) => void | Promise<void>;
}

/** Heroku's clients back off at least this long after a 429. */
const RATE_LIMIT_BACKOFF_MS = 30_000;
/** What refuses a request with 409 (a Heroku Connect poll, another operation on the app) lasts tens of seconds at least. */
const CONFLICT_BACKOFF_MS = 30_000;
/** A cutover is checked against maintenance windows for at least this long. */
const CUTOVER_WINDOW_MS = 60 * 60_000;
/** A wait polls no slower than this many times its first interval unless the runbook says otherwise. */
const DEFAULT_MAX_FACTOR = 6;

/** A test hook asked the engine to stop dead, as a crash would. */
class Halted extends Error {}

/**
 * Drives runs from the store. Each run has at most one loop in flight; it reads the run, executes
 * its current step and writes every transition before and after the side effect, then moves on,
 * sleeps on the shared scheduler or stops at a hold. Nothing is kept in memory that the store does
 * not also hold, so a new process resumes exactly where the old one stopped.
 */
export class Executor<Deps> {
  private readonly scheduler: Scheduler;
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  /** Runs at a wait step: they share the polling budget. */
  private readonly polling = new Set<string>();
  private stopping = false;

  constructor(private readonly o: ExecutorOptions<Deps>) {
    this.scheduler = new Scheduler(() => o.now().getTime(), (runId) => this.kick(runId));
  }

  /** Makes the run's loop look at the store again, now or right after the pass in flight. */
  kick(runId: string): void {
    if (this.stopping) return;
    if (this.inFlight.has(runId)) {
      this.again.add(runId);
      return;
    }
    const pass = this.drive(runId).finally(() => {
      this.inFlight.delete(runId);
      if (this.again.delete(runId)) this.kick(runId);
    });
    this.inFlight.set(runId, pass);
  }

  busy(runId: string): boolean {
    return this.inFlight.has(runId);
  }

  /** Kicks the run and resolves when its loop is at rest (asleep, held or finished). */
  async settle(runId: string): Promise<void> {
    this.kick(runId);
    for (let pass = this.inFlight.get(runId); pass; pass = this.inFlight.get(runId)) await pass;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.scheduler.stop();
    while (this.inFlight.size > 0) await Promise.all(this.inFlight.values());
    // Again: the passes that were in flight may have set wake-ups since.
    this.scheduler.stop();
    await this.o.transitions.delivered();
  }

  private async drive(runId: string): Promise<void> {
    try {
      await this.advance(runId);
    } catch (error) {
      if (error instanceof Halted) {
        this.o.logger.warn({ runId }, 'run halted by a test hook');
        return;
      }
      // The store failed mid-transition: the run stays as last written; look again later, as a restart would.
      this.o.logger.error({ err: error, runId }, 'run loop failed; retrying');
      if (!this.stopping) this.scheduler.wakeAt(runId, this.o.now().getTime() + this.scaled(30_000));
    }
  }

  private async advance(runId: string): Promise<void> {
    while (!this.stopping) {
      const snap = await this.o.runs.load(runId);
      if (!snap || isFinished(snap.run.status)) {
        this.scheduler.clear(runId);
        return;
      }
      const next = await this.pass(snap);
      if (next === 'stop') return;
      if (next !== 'continue') {
        this.scheduler.wakeAt(runId, next.until);
        return;
      }
    }
  }

  private async pass(snap: Snapshot): Promise<Next> {
    let def: Definition<Deps>;
    try {
      def = await this.o.definitions.forRun(snap);
    } catch (error) {
      return this.failRun(snap, null, this.runError('runbook_changed', null, error instanceof Error ? error.message : String(error)));
    }
    const drift = snap.steps.find((s) => def.steps[s.idx]?.title !== s.title || def.steps[s.idx]?.kind !== s.kind);
    if (drift || def.steps.length !== snap.steps.length) {
      return this.failRun(snap, null, this.runError('runbook_changed', null, `The ${snap.run.runbook} runbook's steps changed since this run started.`));
    }
    const state = snap.steps.find((s) => !isSettled(s.status));
    if (!state) return this.finish(snap);
    const step = def.steps[state.idx]!;
    if (step.kind === 'wait') this.polling.add(snap.run.id);
    else this.polling.delete(snap.run.id);
    // Never stop in the middle of an action: its outcome must be known first.
    const cancel = snap.run.cancelRequest;
    if (cancel && !(step.kind === 'action' && state.status === 'running')) {
      const code = cancel.code ?? 'cancelled';
      const message = `${code === 'approval_rejected' ? 'Rejected' : 'Cancelled'} by ${cancel.by}${cancel.reason ? `: ${cancel.reason}` : ''}`;
      return this.stopRun(snap, state, { ...this.runError(code, state, message), by: cancel.by });
    }
    if (snap.run.status === 'pending') {
      await this.commit(snap, { run: { status: 'running' }, audit: [{ type: 'run.started', actor: 'engine' }] });
      return 'continue';
    }
    if (step.when && state.status === 'pending') {
      const skipped = await this.skipUnwanted(snap, def, state, step);
      if (skipped) return skipped;
    }
    switch (step.kind) {
      case 'check':
        return this.check(snap, def, state, step);
      case 'action':
        return this.action(snap, def, state, step);
      case 'wait':
        return this.wait(snap, def, state, step);
      case 'approval':
        return this.approval(snap, def, state, step);
      case 'manual':
        return this.manual(snap, def, state, step);
    }
  }

  /**
   * A conditional step reads its condition when it is reached: the branch not taken is recorded as
   * skipped with the condition's reason (never as done), and the run goes on with the next step.
   */
  private async skipUnwanted(snap: Snapshot, def: Definition<Deps>, state: StepState, step: Step<Deps>): Promise<Next | undefined> {
    const sleep = this.due(state);
    if (sleep) return sleep;
    const { ctx, reads } = this.context(snap, def, state);
    let result;
    try {
      result = await step.when!.test(ctx);
    } catch (error) {
      // The step has not begun: it stays pending, so its condition is read again first.
      return this.retryOrFail(snap, state, step, error, { pending: true });
    }
    if (result.holds) return undefined;
    await this.hook('before_step', snap, state);
    await this.commit(snap, {
      run: this.resumed(snap),
      step: {
        idx: state.idx,
        set: { status: 'skipped', skipReason: result.because, finishedAt: this.iso(), nextPollAt: null, error: null, input: Object.keys(reads).length > 0 ? reads : null },
      },
      audit: [{ type: 'step.skipped', actor: 'engine', stepIdx: state.idx, detail: { reason: result.because } }],
    });
    await this.hook('after_step', snap, state);
    return 'continue';
  }

  // ---------------------------------------------------------------------------------------------
  // Step kinds

  private async check(snap: Snapshot, def: Definition<Deps>, state: StepState, step: CheckStep<Deps>): Promise<Next> {
    const sleep = this.due(state) ?? (await this.begin(snap, def, state));
    if (sleep) return sleep;
    await this.commit(snap, {
      run: this.resumed(snap),
      step: { idx: state.idx, set: { status: 'running', attempts: state.attempts + 1, startedAt: state.startedAt ?? this.iso(), nextPollAt: null } },
      audit: state.status === 'pending' ? [{ type: 'step.started', actor: 'engine', stepIdx: state.idx }] : [],
    });
    const { ctx, reads } = this.context(snap, def, state);
    let result;
    try {
      result = await step.probe(ctx);
    } catch (error) {
      return this.retryOrFail(snap, state, step, error);
    }
    if (!result.ok) {
      return this.failRun(snap, state, stepFailure('check_failed', { ...state, next: step.next }, { message: result.reason, next: result.next }), reads);
    }
    return this.complete(snap, state, { input: reads });
  }

  /**
   * An action is probed before its mutation: when `done` holds, the mutation already took effect
   * (before a crash, or before the run) and is not issued again. Otherwise the attempt is written,
   * the mutation issued, and its success written: a crash in between is resolved by the next probe.
   */
  private async action(snap: Snapshot, def: Definition<Deps>, state: StepState, step: ActionStep<Deps>): Promise<Next> {
    const sleep = this.due(state) ?? (await this.begin(snap, def, state));
    if (sleep) return sleep;
    const { ctx, reads } = this.context(snap, def, state);
    try {
      if (await step.done(ctx)) return this.complete(snap, state, { input: reads }, { alreadyInEffect: true });
    } catch (error) {
      return this.retryOrFail(snap, state, step, error);
    }
    const attempt = state.attempts + 1;
    await this.commit(snap, {
      run: this.resumed(snap),
      step: { idx: state.idx, set: { status: 'running', attempts: attempt, startedAt: state.startedAt ?? this.iso(), nextPollAt: null } },
      audit: [{ type: 'step.started', actor: 'engine', stepIdx: state.idx, detail: { attempt } }],
    });
    await this.hook('before_do', snap, state);
    try {
      await step.do(ctx);
    } catch (error) {
      // A 409 refused the mutation in the resource's current state: probe again, and retry once that state has passed.
      return this.retryOrFail(snap, { ...state, attempts: attempt }, step, error, { retryConflict: true });
    }
    await this.hook('after_do', snap, state);
    return this.complete(snap, { ...state, attempts: attempt }, { input: reads });
  }

  private async wait(snap: Snapshot, def: Definition<Deps>, state: StepState, step: WaitStep<Deps>): Promise<Next> {
    const every = toMs(step.every);
    if (state.status === 'pending') {
      const held = await this.begin(snap, def, state);
      if (held) return held;
      await this.commit(snap, {
        run: this.resumed(snap),
        step: { idx: state.idx, set: { status: 'waiting', startedAt: this.iso(), pollIntervalMs: every, nextPollAt: null } },
        audit: [{ type: 'step.started', actor: 'engine', stepIdx: state.idx }],
      });
      return 'continue';
    }
    const sleep = this.due(state);
    if (sleep) return sleep;
    const { ctx, reads } = this.context(snap, def, state);
    const attempts = state.attempts + 1;
    let result;
    try {
      result = await step.until(ctx);
    } catch (error) {
      const failure = classifyError(error);
      if (!failure.transient) return this.failRun(snap, { ...state, attempts }, this.failureOf(failure, state, step), reads);
      // A hiccup is a poll that saw nothing new; the timeout still bounds the wait.
      result = { done: false as const, progress: state.progress ?? undefined };
    }
    if (result.done) return this.complete(snap, { ...state, attempts }, { input: reads, attempts });
    const now = this.o.now().getTime();
    const deadline = Date.parse(state.startedAt!) + this.scaled(toMs(step.timeout));
    const progress = result.progress ?? null;
    if (now >= deadline) {
      const last = progress ? ` (last seen: ${progress})` : '';
      const message = `"${step.title}" did not happen within ${ms(toMs(step.timeout), { long: true })}${last}.`;
      // The advice fits what the last poll saw, when the runbook gave one for it.
      const next = result.next;
      return this.failRun(snap, { ...state, attempts }, stepFailure('wait_timeout', { ...state, next: step.next }, { message, next }), reads);
    }
    // The polling budget never stretches a cutover: while writes are stopped a wait keeps its own pace.
    const inDowntime = def.downtime !== null && state.idx > def.downtime.from && state.idx < def.downtime.to;
    const interval = Math.max(
      nextPollInterval({
        previous: state.pollIntervalMs ?? every,
        every,
        max: step.max === undefined ? every * DEFAULT_MAX_FACTOR : toMs(step.max),
        near: result.near ?? false,
        changed: progress !== state.progress,
      }),
      inDowntime ? 0 : budgetFloor(this.polling.size, this.o.pollBudgetPerHour),
    );
    const until = Math.min(now + this.scaled(interval), deadline);
    // Only a change of progress is an event; a poll that saw nothing new just stores its next time.
    await this.commit(snap, {
      step: { idx: state.idx, set: { attempts, progress, pollIntervalMs: interval, nextPollAt: new Date(until).toISOString() } },
      audit: progress !== state.progress ? [{ type: 'step.progress', actor: 'engine', stepIdx: state.idx, detail: { progress } }] : [],
    });
    return { until };
  }

  /** Holds until enough distinct approvers approved this plan; the first approval step is also the cutover gate. */
  private async approval(snap: Snapshot, def: Definition<Deps>, state: StepState, step: ApprovalStep<Deps>): Promise<Next> {
    const { run } = snap;
    const required = run.approvalsRequired;
    const requestedAt = this.iso();
    const expiry = required > 0 ? new Date(approvalExpiry(requestedAt, run.approvalTimeoutMs, this.o.timeScale)).toISOString() : null;
    if (state.status === 'pending') {
      await this.hook('before_step', snap, state);
      await this.commit(snap, {
        run: { status: 'awaiting_approval' },
        step: { idx: state.idx, set: { status: 'held', startedAt: requestedAt, nextPollAt: expiry } },
        audit: [{ type: 'approval.requested', actor: 'engine', stepIdx: state.idx, detail: { required, planHash: run.planHash } }],
      });
      return 'continue';
    }
    if (def.plan.hash !== run.planHash) {
      // The plan changed (a runbook's calls changed in a deploy): approvals given to the old one are void.
      await this.commit(snap, {
        run: { planHash: def.plan.hash, status: 'awaiting_approval', heldFor: null },
        step: { idx: state.idx, set: { startedAt: requestedAt, nextPollAt: expiry } },
        audit: [{ type: 'approval.voided', actor: 'engine', stepIdx: state.idx, detail: { previous: run.planHash, planHash: def.plan.hash } }],
      });
      return 'continue';
    }
    const approvers = snap.approvals.filter((a) => a.stepIdx === state.idx && a.decision === 'approve' && a.planHash === run.planHash);
    if (approvers.length < required) {
      const expiresAt = approvalExpiry(state.startedAt!, run.approvalTimeoutMs, this.o.timeScale);
      if (this.o.now().getTime() < expiresAt) return { until: expiresAt };
      const message = `The approval request expired after ${ms(run.approvalTimeoutMs, { long: true })} with ${approvers.length} of ${required} approvals.`;
      return this.stopRun(snap, state, { ...this.runError('approval_expired', state, message), by: 'engine' });
    }
    const held = await this.gate(snap, def, state);
    if (held) return held;
    return this.complete(snap, state, {}, { approvers: approvers.map((a) => a.userId), title: step.title });
  }

  private async manual(snap: Snapshot, def: Definition<Deps>, state: StepState, step: ManualStep<Deps>): Promise<Next> {
    if (state.status === 'held') return 'stop';
    const sleep = this.due(state) ?? (await this.begin(snap, def, state));
    if (sleep) return sleep;
    const { ctx } = this.context(snap, def, state);
    let instructions;
    try {
      instructions = await step.instructions(ctx);
    } catch (error) {
      return this.retryOrFail(snap, state, step, error);
    }
    await this.commit(snap, {
      run: { status: 'awaiting_manual', heldFor: null },
      step: { idx: state.idx, set: { status: 'held', startedAt: this.iso(), instructions, nextPollAt: null } },
      audit: [{ type: 'manual.requested', actor: 'engine', stepIdx: state.idx, detail: { instructions } }],
    });
    return 'stop';
  }

  // ---------------------------------------------------------------------------------------------
  // Transitions shared by the kinds

  /** A step sleeping until its next poll or retry is not due yet. */
  private due(state: StepState): Next | undefined {
    const at = state.nextPollAt ? Date.parse(state.nextPollAt) : 0;
    return at > this.o.now().getTime() ? { until: at } : undefined;
  }

  /** Before a step's first write: the cutover gate, then the test hook. */
  private async begin(snap: Snapshot, def: Definition<Deps>, state: StepState): Promise<Next | undefined> {
    if (state.status !== 'pending') return undefined;
    const held = await this.gate(snap, def, state);
    if (held) return held;
    await this.hook('before_step', snap, state);
    return undefined;
  }

  /**
   * The cutover gate is the first approval step (or the first step of a runbook without one): it
   * opens no earlier than `notBefore` and not while a Heroku Connect maintenance window overlaps,
   * unless someone overrode that. Rollback runs are not gated.
   */
  private async gate(snap: Snapshot, def: Definition<Deps>, state: StepState): Promise<Next | undefined> {
    const { run } = snap;
    const gateIdx = Math.max(def.steps.findIndex((s) => s.kind === 'approval'), 0);
    if (run.rollbackOf || state.idx !== gateIdx) return undefined;
    const now = this.o.now().getTime();
    const notBefore = run.notBefore ? Date.parse(run.notBefore) : 0;
    if (now < notBefore) {
      if (run.status !== 'scheduled') {
        await this.commit(snap, {
          run: { status: 'scheduled' },
          step: { idx: state.idx, set: { nextPollAt: run.notBefore } },
          audit: [{ type: 'run.scheduled', actor: 'engine', stepIdx: state.idx, detail: { notBefore: run.notBefore } }],
        });
      }
      return { until: notBefore };
    }
    const guard = this.o.cutoverGuard;
    if (!guard || run.maintenanceOverrideBy) return undefined;
    const span = Math.max((def.plan.expectedDowntime?.maxMinutes ?? 0) * 60_000, CUTOVER_WINDOW_MS);
    let found;
    try {
      found = await guard(run.app, new Date(now), new Date(now + span));
    } catch (error) {
      this.o.logger.warn({ err: error, runId: run.id }, 'maintenance check failed; the cutover goes on');
      return undefined;
    }
    if (!found) return undefined;
    const window: MaintenanceWindow = {
      title: found.title,
      start: new Date(found.start).toISOString(),
      end: new Date(found.end).toISOString(),
      link: found.link ?? null,
    };
    if (run.status !== 'held_for_maintenance' || run.heldFor?.end !== window.end) {
      await this.commit(snap, {
        run: { status: 'held_for_maintenance', heldFor: window },
        step: { idx: state.idx, set: { nextPollAt: window.end } },
        audit: [{ type: 'run.held', actor: 'engine', stepIdx: state.idx, detail: { window } }],
      });
    }
    // Ask again when the window ends (never sooner than a minute, whatever the window says).
    return { until: Math.max(Date.parse(window.end), now + this.scaled(60_000)) };
  }

  private async complete(
    snap: Snapshot,
    state: StepState,
    set: { input?: Record<string, unknown>; attempts?: number },
    detail: Record<string, unknown> = {},
  ): Promise<Next> {
    await this.commit(snap, {
      run: this.resumed(snap),
      step: {
        idx: state.idx,
        set: {
          status: 'done',
          startedAt: state.startedAt ?? this.iso(),
          finishedAt: this.iso(),
          nextPollAt: null,
          error: null,
          ...set,
          input: set.input && Object.keys(set.input).length > 0 ? set.input : null,
        },
      },
      audit: [{ type: 'step.done', actor: 'engine', stepIdx: state.idx, detail }],
    });
    await this.hook('after_step', snap, state);
    return 'continue';
  }

  /**
   * Transient errors (and, with `retryConflict`, a 409) are retried with bounded backoff (an action
   * is re-probed first); others fail the run.
   */
  private async retryOrFail(snap: Snapshot, state: StepState, step: Step<Deps>, error: unknown, options: { retryConflict?: boolean; pending?: boolean } = {}): Promise<Next> {
    const failure = classifyError(error);
    const conflict = options.retryConflict === true && failure.conflict;
    const retries = state.retries + 1;
    if (conflict && step.kind === 'action' && step.retryRefused) return this.retryRefused(snap, state, step, failure, retries);
    if (!(failure.transient || conflict) || retries >= this.o.retry.attempts) {
      return this.failRun(snap, state, this.failureOf(failure, state, step));
    }
    let delay = Math.min(this.o.retry.baseMs * 2 ** (retries - 1), this.o.retry.maxMs);
    if (failure.status === 429) delay = Math.max(delay, RATE_LIMIT_BACKOFF_MS);
    if (conflict) delay = Math.max(delay, CONFLICT_BACKOFF_MS);
    const until = this.o.now().getTime() + this.scaled(delay);
    const seen = this.failureOf(failure, state, step);
    await this.commit(snap, {
      step: {
        idx: state.idx,
        set: options.pending
          ? { retries, nextPollAt: new Date(until).toISOString(), error: seen }
          : { status: 'running', retries, startedAt: state.startedAt ?? this.iso(), nextPollAt: new Date(until).toISOString(), error: seen },
      },
      audit: [{ type: 'step.retrying', actor: 'engine', stepIdx: state.idx, detail: { retries, delayMs: delay, error: seen } }],
    });
    return { until };
  }

  /**
   * A mutation the resource's state refuses (409) is tried again, its `done` probed first, with a
   * growing pause, until the step's own timeout: "Connections can only be paused when they are in
   * the IDLE state", and a busy one is IDLE again within minutes. Past the timeout the step fails.
   */
  private async retryRefused(snap: Snapshot, state: StepState, step: ActionStep<Deps>, failure: Failure, retries: number): Promise<Next> {
    const policy = step.retryRefused!;
    const now = this.o.now().getTime();
    const startedAt = state.startedAt ?? this.iso();
    const deadline = Date.parse(startedAt) + this.scaled(toMs(policy.timeout));
    const seen = this.failureOf(failure, state, step);
    if (now >= deadline) {
      const message = `"${step.title}" was refused for ${ms(toMs(policy.timeout), { long: true })} (last: ${failure.message}).`;
      return this.failRun(snap, state, stepFailure('wait_timeout', { ...state, next: policy.next }, { message, status: failure.status }));
    }
    const every = toMs(policy.every);
    const delay = Math.min(every * 2 ** Math.min(retries - 1, 10), every * DEFAULT_MAX_FACTOR);
    const until = Math.min(now + this.scaled(delay), deadline);
    await this.commit(snap, {
      step: { idx: state.idx, set: { status: 'running', retries, startedAt, nextPollAt: new Date(until).toISOString(), error: seen } },
      audit: [{ type: 'step.retrying', actor: 'engine', stepIdx: state.idx, detail: { retries, delayMs: delay, error: seen } }],
    });
    return { until };
  }

  private failureOf(failure: Failure, state: StepState, step: Step<Deps>): RunError {
    return stepFailure(failureCode(failure), { idx: state.idx, title: state.title, next: step.next }, failure);
  }

  private async failRun(snap: Snapshot, state: StepState | null, error: RunError, input?: Record<string, unknown>): Promise<Next> {
    const at = this.iso();
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
    return this.end(snap, change);
  }

  /** Cancelled, rejected or expired: the run stops where it is; its view offers the rollback. */
  private async stopRun(snap: Snapshot, state: StepState, error: RunError): Promise<Next> {
    return this.end(snap, {
      run: { status: 'cancelled', error, finishedAt: this.iso(), heldFor: null },
      step: { idx: state.idx, set: { status: 'cancelled', finishedAt: this.iso(), nextPollAt: null } },
      audit: [{ type: 'run.finished', actor: error.by ?? 'engine', stepIdx: state.idx, detail: { status: 'cancelled', code: error.code } }],
      releaseLock: true,
    });
  }

  private async finish(snap: Snapshot): Promise<Next> {
    return this.end(snap, {
      run: { status: 'succeeded', finishedAt: this.iso(), heldFor: null },
      audit: [{ type: 'run.finished', actor: 'engine', detail: { status: 'succeeded' } }],
      releaseLock: true,
    });
  }

  private async end(snap: Snapshot, change: Change): Promise<Next> {
    await this.commit(snap, change);
    const { id, runbook, app } = snap.run;
    const error = change.run?.error;
    this.o.logger[error?.code === 'cancelled' || !error ? 'info' : 'warn'](
      { runId: id, runbook, app, status: change.run?.status, code: error?.code, step: error?.step },
      error ? `run ${change.run?.status}: ${error.message}` : 'run succeeded',
    );
    this.o.definitions.forget(snap.run.id);
    this.scheduler.clear(snap.run.id);
    this.polling.delete(snap.run.id);
    return 'stop';
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private context(snap: Snapshot, def: Definition<Deps>, state: StepState): { ctx: StepContext<Deps, unknown>; reads: Record<string, unknown> } {
    const { run } = snap;
    const outputs = { ...run.outputs };
    const recorded = { ...(state.output ?? {}) };
    const reads: Record<string, unknown> = {};
    const tracked = new Proxy(outputs, {
      get: (target, key) => {
        const value: unknown = Reflect.get(target, key);
        if (typeof key === 'string' && key in target) reads[key] = value;
        return value;
      },
    });
    const ctx: StepContext<Deps, unknown> = {
      app: run.app,
      params: def.valid.params,
      outputs: tracked,
      record: async (key, value) => {
        outputs[key] = value;
        recorded[key] = value;
        await this.o.runs.record(run.id, state.idx, outputs, recorded);
      },
      deps: this.o.deps,
      runId: run.id,
      now: this.o.now,
      log: this.o.logger.child({ runId: run.id, step: state.idx }),
    };
    return { ctx, reads };
  }

  /** Leaving a hold (scheduled, held for maintenance, approval) sets the run running again. */
  private resumed(snap: Snapshot): RunPatch {
    return snap.run.status === 'running' ? {} : { status: 'running', heldFor: null };
  }

  private runError(code: ReasonCode, state: StepState | null, message: string): RunError {
    return { code, step: state?.idx ?? null, stepTitle: state?.title ?? null, message, next: defaultNext(code) };
  }

  private commit(snap: Snapshot, change: Change): Promise<void> {
    return this.o.transitions.commit(snap.run.id, change);
  }

  private async hook(point: TransitionPoint, snap: Snapshot, state: StepState): Promise<void> {
    if (!this.o.onTransition) return;
    try {
      await this.o.onTransition(point, snap.run.id, state.idx);
    } catch (error) {
      throw new Halted(String(error));
    }
  }

  private scaled(duration: number): number {
    return duration / this.o.timeScale;
  }

  private iso(): string {
    return this.o.now().toISOString();
  }
}
