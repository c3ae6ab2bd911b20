import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The lease a pass of a run holds through the job queue: the pass may write and send requests only
 * until its job could expire and be handed to another process. Carried through async calls, so the
 * engine's writes and the Heroku clients' requests check it without it being passed around; code
 * outside a pass (one process with the embedded store, the command line) has none and is never refused.
 */

export interface PassLease {
  /** Epoch ms after which the pass must do nothing more: its job may belong to another process by then. */
  readonly deadline: number;
}

/** The pass outlived its lease: it stops without writing; the process that takes the job over re-probes. */
export class PassLeaseExpired extends Error {
  constructor(readonly deadline: number) {
    super(`the pass outlived its job's lease (until ${new Date(deadline).toISOString()}); another process takes the run over`);
    this.name = 'PassLeaseExpired';
  }
}

const current = new AsyncLocalStorage<PassLease>();

export function withPassLease<T>(lease: PassLease | undefined, work: () => Promise<T>): Promise<T> {
  return lease ? current.run(lease, work) : work();
}

/** Milliseconds left in the current pass's lease (Infinity outside a pass); throws once it is over. */
export function checkPassLease(now = Date.now()): number {
  const lease = current.getStore();
  if (!lease) return Infinity;
  const left = lease.deadline - now;
  if (left <= 0) throw new PassLeaseExpired(lease.deadline);
  return left;
}
