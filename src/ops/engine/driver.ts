import type { PassLease } from '../pass-lease.js';

/**
 * Where a run's passes come from. The engine only ever says "wake this run at T"; a driver decides
 * who runs the pass: a timer in this process (the embedded store, one process), or a Postgres job
 * queue that every replica works (`DATABASE_URL`), where a run's next wake-up is a job keyed by the
 * run, so that one pass of a run runs at a time across all processes.
 */

/** How a pass ended: asleep until a time, at rest (held or finished), or abandoned past its lease. */
export type PassResult = 'stop' | { until: number } | 'abandoned';

export type DriveFn = (runId: string, lease?: PassLease) => Promise<PassResult>;

/** Whether the run is in its cutover (writes stopped), as its last pass in this process saw it. */
export type UrgentFn = (runId: string) => boolean;

export interface RunDriver {
  /** False when only this process drives runs (the default is true for a driver given to the engine): budgets count runs here. */
  readonly shared?: boolean;
  /**
   * Called once by the engine with the function that runs a pass, and the one that tells a run in
   * its cutover: its passes go before other runs' (its downtime must not wait behind their polling).
   */
  attach(drive: DriveFn, urgent?: UrgentFn): void;
  /** Wakes the run at `at` (epoch ms; now when absent); an earlier wake-up already set stands. */
  wake(runId: string, at?: number): Promise<void>;
  /**
   * Makes sure an unfinished run found in the store at start has a wake-up; true when it had none
   * (the run is picked up again, as after a restart).
   */
  adopt(runId: string): Promise<boolean>;
  /** Begins driving: from now on due wake-ups run passes in this process. */
  start(): Promise<void>;
  /** Stops taking passes; those in flight get until `deadlineMs` (epoch) to reach a persisted point. */
  stop(deadlineMs?: number): Promise<void>;
  /** Whether a pass of the run is in flight in this process. */
  busy(runId: string): boolean;
  /** Wakes the run now and resolves once it is at rest (or, across processes, once `atRest` says so or time is up). */
  settle(runId: string, atRest: () => Promise<boolean>): Promise<void>;
}
