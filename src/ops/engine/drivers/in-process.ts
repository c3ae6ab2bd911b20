import type { DriveFn, PassResult, RunDriver } from '../driver.js';
import { Scheduler } from '../scheduler.js';

/**
 * One process drives every run (the embedded store): at most one pass of a run in flight, a kick
 * during a pass runs another right after it, and sleeping runs share one timer.
 */
export class InProcessDriver implements RunDriver {
  private readonly scheduler: Scheduler;
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private drive: DriveFn | undefined;
  private stopping = false;

  constructor(private readonly now: () => number) {
    this.scheduler = new Scheduler(now, (runId) => this.kick(runId));
  }

  attach(drive: DriveFn): void {
    this.drive = drive;
  }

  async wake(runId: string, at?: number): Promise<void> {
    if (at !== undefined && at > this.now()) this.scheduler.wakeAt(runId, at);
    else this.kick(runId);
  }

  async adopt(): Promise<boolean> {
    // One process: every unfinished run in the store is ours to resume.
    return true;
  }

  async start(): Promise<void> {
    // Kicks run at once: one process needs no workers to start.
  }

  busy(runId: string): boolean {
    return this.inFlight.has(runId);
  }

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
  }

  /** Makes the run's loop look at the store again, now or right after the pass in flight. */
  private kick(runId: string): void {
    if (this.stopping || !this.drive) return;
    if (this.inFlight.has(runId)) {
      this.again.add(runId);
      return;
    }
    const pass = this.drive(runId)
      .then((result) => this.after(runId, result))
      .finally(() => {
        this.inFlight.delete(runId);
        if (this.again.delete(runId)) this.kick(runId);
      });
    this.inFlight.set(runId, pass);
  }

  private after(runId: string, result: PassResult): void {
    if (this.stopping) return;
    if (typeof result === 'object') this.scheduler.wakeAt(runId, result.until);
    else this.scheduler.clear(runId);
  }
}
