import type { DriveFn, RunDriver, UrgentFn } from '../driver.js';

/**
 * The driver of a process that serves Slack before it may drive runs: with the embedded store it
 * waits for another process's engine lease, with Postgres its job queue starts. Until the driver
 * that drives runs is provided and started (the engine's `resumeAll`), a wake-up is only recorded:
 * what it wakes for (a new run, an approval, a cancel) is already in the store, and the wake-up is
 * passed on when driving starts. Heroku wants `$PORT` bound within 60 s of start (R10), and with
 * preboot the old dyno holds the lease while the new one boots.
 */
export class DeferredDriver implements RunDriver {
  private inner: RunDriver | undefined;
  private drive: DriveFn | undefined;
  private urgent: UrgentFn | undefined;
  private started = false;
  /** Runs woken before driving started, with the earliest time each asked for (epoch ms). */
  private readonly pending = new Map<string, number>();

  /** `shared`: the driver to come drives runs with other processes (a job queue), so budgets count runs from the store. */
  constructor(readonly shared: boolean) {}

  /** True once runs are driven in this process. */
  get driving(): boolean {
    return this.started;
  }

  /** Hands over to the driver that drives runs from now on; it starts with the engine's `resumeAll`. */
  provide(inner: RunDriver): void {
    if (this.inner) throw new Error('the run driver was already provided');
    this.inner = inner;
    if (this.drive) inner.attach(this.drive, this.urgent);
  }

  /** Both functions go on to the driver provided: without `urgent` a run's cutover passes would queue behind other runs' polling. */
  attach(drive: DriveFn, urgent?: UrgentFn): void {
    this.drive = drive;
    this.urgent = urgent;
    this.inner?.attach(drive, urgent);
  }

  async wake(runId: string, at?: number): Promise<void> {
    if (this.started && this.inner) return this.inner.wake(runId, at);
    const wanted = at ?? Date.now();
    this.pending.set(runId, Math.min(this.pending.get(runId) ?? Infinity, wanted));
  }

  adopt(runId: string): Promise<boolean> {
    return this.provided().adopt(runId);
  }

  async start(): Promise<void> {
    const inner = this.provided();
    await inner.start();
    this.started = true;
    const woken = [...this.pending];
    this.pending.clear();
    for (const [runId, at] of woken) await inner.wake(runId, at);
  }

  async stop(deadlineMs?: number): Promise<void> {
    this.pending.clear();
    await this.inner?.stop(deadlineMs);
  }

  busy(runId: string): boolean {
    return this.started && this.inner !== undefined && this.inner.busy(runId);
  }

  /** Before driving starts nothing can come to rest: the request is recorded, and acted on once driving starts. */
  async settle(runId: string, atRest: () => Promise<boolean>): Promise<void> {
    if (this.started && this.inner) return this.inner.settle(runId, atRest);
    await this.wake(runId);
  }

  private provided(): RunDriver {
    if (!this.inner) throw new Error('no run driver yet: provide() it before the engine resumes runs');
    return this.inner;
  }
}
