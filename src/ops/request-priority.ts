import { AsyncLocalStorage } from 'node:async_hooks';
import type { Priority } from './limits.js';

/**
 * The priority of the Heroku requests made inside a piece of work, carried through its async calls,
 * so that the engine can put a cutover's requests ahead of other runs' polling without every read
 * and mutation of the runbooks passing it along. A priority given to a request explicitly wins.
 */
const current = new AsyncLocalStorage<Priority>();

export function withPriority<T>(priority: Priority | undefined, work: () => Promise<T>): Promise<T> {
  return priority ? current.run(priority, work) : work();
}

/** Runs `work` with no ambient priority, whatever the caller's (a run's pass once its cutover is over). */
export function withoutPriority<T>(work: () => Promise<T>): Promise<T> {
  return current.getStore() === undefined ? work() : current.exit(work);
}

/** The priority of the work in progress, if it set one. */
export function ambientPriority(): Priority | undefined {
  return current.getStore();
}
