import type { Logger } from '../../../log.js';
import type { StepContext } from '../../runbooks/runbook.js';
import type { Definition, Definitions } from '../definitions.js';
import { observe, predictedMs, type Drain } from '../poll-interval.js';
import { defaultNext } from '../failure.js';
import { checkPassLease } from '../../pass-lease.js';
import type { Change, RunPatch, RunStore, Snapshot, StepState } from '../run-store.js';
import type { Transitions } from '../transitions.js';
import type { CutoverGuard, ReasonCode, RunError, TransitionPoint } from '../types.js';

/** What a step tells the run loop: go on to the next step, stop (held or finished), or sleep until a time. */
export type Next = 'continue' | 'stop' | { until: number };

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
  /**
   * How many runs share the polling budget. Replicas count the store's waiting runs (a process
   * drives only some of them); one process counts the runs it saw at a wait.
   */
  waitingRuns?: () => Promise<number>;
  onTransition?: (point: TransitionPoint, runId: string, stepIdx: number) => void | Promise<void>;
}

/** A test hook asked the engine to stop dead, as a crash would. */
export class Halted extends Error {}

/**
 * What every kind of step uses: the run's context for runbook code, writing transitions, the test
 * hooks, and the engine's clock and time scale. One per engine; it holds no run's state beyond the
 * runs currently at a wait (for the polling budget).
 */
export class StepKit<Deps> {
  /** Runs at a wait step: they share the polling budget. */
  private readonly polling = new Set<string>();
  /** Runs whose writes are stopped (their current step is in the cutover): their passes go first. */
  private readonly cutover = new Set<string>();
  /**
   * What each run's current wait reported left, to measure its drain. Kept in memory only: a run
   * resumed by another process (or after a restart) measures again from its next poll.
   */
  private readonly drains = new Map<string, { idx: number; drain: Drain }>();

  constructor(
    readonly o: ExecutorOptions<Deps>,
    /** Called when a run ends, so that whoever drives it forgets it. */
    private readonly onEnd: (runId: string) => void,
  ) {}

  /** Notes whether the run's current step is a wait, for the polling budget. */
  atWait(runId: string, waiting: boolean): void {
    if (waiting) this.polling.add(runId);
    else this.polling.delete(runId);
  }

  /** Notes whether the run's current step is in its cutover, for the driver and the store to put it first. */
  atCutover(runId: string, inCutover: boolean): void {
    if (inCutover) this.cutover.add(runId);
    else this.cutover.delete(runId);
  }

  inCutover(runId: string): boolean {
    return this.cutover.has(runId);
  }

  async waitingRuns(): Promise<number> {
    return this.o.waitingRuns ? this.o.waitingRuns() : this.polling.size;
  }

  ended(runId: string): void {
    this.o.definitions.forget(runId);
    this.polling.delete(runId);
    this.cutover.delete(runId);
    this.drains.delete(runId);
    this.onEnd(runId);
  }

  /**
   * Notes what a wait's poll reported left (nothing: forgets the wait's drain) and returns the engine
   * ms until its condition should hold at the rate measured so far, when there is one.
   */
  predict(runId: string, idx: number, remaining: number | undefined): number | undefined {
    const known = this.drains.get(runId);
    if (remaining === undefined || !Number.isFinite(remaining)) {
      this.drains.delete(runId);
      return undefined;
    }
    const now = this.nowMs();
    const drain = observe(known?.idx === idx ? known.drain : undefined, { remaining, at: now });
    this.drains.set(runId, { idx, drain });
    return predictedMs(drain, now);
  }

  /** The wait is over (its condition held, or the run moved on): its drain is forgotten. */
  settled(runId: string): void {
    this.drains.delete(runId);
  }

  /** Writes a transition, unless this pass outlived its job (another process may own the run now). */
  commit(snap: Snapshot, change: Change): Promise<void> {
    checkPassLease();
    return this.o.transitions.commit(snap.run.id, change);
  }

  async hook(point: TransitionPoint, snap: Snapshot, state: StepState): Promise<void> {
    if (!this.o.onTransition) return;
    try {
      await this.o.onTransition(point, snap.run.id, state.idx);
    } catch (error) {
      throw new Halted(String(error));
    }
  }

  /** A step sleeping until its next poll or retry is not due yet. */
  due(state: StepState): Next | undefined {
    const at = state.nextPollAt ? Date.parse(state.nextPollAt) : 0;
    return at > this.o.now().getTime() ? { until: at } : undefined;
  }

  /** The runbook's view of the run, and the outputs it read (recorded as the step's input). */
  context(snap: Snapshot, def: Definition<Deps>, state: StepState): { ctx: StepContext<Deps, unknown>; reads: Record<string, unknown> } {
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
        checkPassLease();
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
  resumed(snap: Snapshot): RunPatch {
    return snap.run.status === 'running' ? {} : { status: 'running', heldFor: null };
  }

  runError(code: ReasonCode, state: StepState | null, message: string): RunError {
    return { code, step: state?.idx ?? null, stepTitle: state?.title ?? null, message, next: defaultNext(code) };
  }

  scaled(duration: number): number {
    return duration / this.o.timeScale;
  }

  /** Engine ms as the procedure's ms (the inverse of `scaled`). */
  unscaled(duration: number): number {
    return duration * this.o.timeScale;
  }

  nowMs(): number {
    return this.o.now().getTime();
  }

  iso(): string {
    return this.o.now().toISOString();
  }
}



