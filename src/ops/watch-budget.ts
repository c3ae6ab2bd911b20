import Bottleneck from 'bottleneck';
import type { Limiter, Limits } from './limits.js';

/**
 * The watchers' share of Heroku's budget. Every call the health watcher and the version radar make
 * first takes a token from their own reservoir (so they can never spend more than this per hour),
 * then goes through the shared limiter as a `read`: after everything runs and people wait for, out
 * of the reads' own share, and refused (ReadRefused) rather than spend the reserve kept for runs. A
 * busy hour slows the watchers down or makes them skip a tick, never a run.
 */

export interface WatchBudgetOptions {
  /** Requests per hour the watchers may make in all, Heroku and Heroku Connect together. */
  requestsPerHour: number;
}

export interface WatchLimits extends Limits {
  /** Calls of the watchers waiting for their own budget. */
  waiting(): number;
}

export function watchLimits(limits: Limits, options: WatchBudgetOptions): WatchLimits {
  const perHour = Math.max(1, Math.floor(options.requestsPerHour));
  // Refilled a token at a time, as the shared bucket is: the budget never bursts past an hour's worth.
  const intervalMs = 3_600_000 / perHour;
  const own = new Bottleneck({
    reservoir: perHour,
    reservoirIncreaseAmount: 1,
    reservoirIncreaseInterval: intervalMs,
    reservoirIncreaseMaximum: perHour,
    heartbeatInterval: Math.max(2, Math.min(250, intervalMs / 5)),
  });
  const budgeted = (inner: Limiter): Limiter => ({
    schedule: (scheduleOptions, task) =>
      scheduleOptions.free
        ? inner.schedule({ ...scheduleOptions, priority: 'read' }, task)
        : own.schedule(() => inner.schedule({ ...scheduleOptions, priority: 'read' }, task)),
    queued: () => inner.queued(),
  });
  return {
    ...limits,
    heroku: budgeted(limits.heroku),
    connect: budgeted(limits.connect),
    waiting: () => own.queued(),
    // The shared limiters belong to the composition root; only the watchers' own reservoir stops here.
    disconnect: () => own.disconnect(false),
  };
}
