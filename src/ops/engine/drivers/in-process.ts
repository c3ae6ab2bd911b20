import type { DriveFn, PassResult, RunDriver } from '../driver.js';
import type { PassLease } from '../../pass-lease.js';
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
  /**
   * The passes' lease (../../pass-lease.ts): no end while the process runs; on stop it ends at the
   * stop's deadline, after which a pass writes nothing more and sends no Heroku request (those it
   * sends meanwhile time out by then). An action whose answer never came is re-probed on resume.
   */
  private readonly lease: { deadline: number } & PassLease = { deadline: Infinity };

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

  /** Passes in flight get until `deadlineMs` (epoch ms, wall clock) to reach a persisted point; one still running then is abandoned. */
  async stop(deadlineMs = Infinity): Promise<void> {
    this.stopping = true;
    this.lease.deadline = deadlineMs;
    this.scheduler.stop();
    let timer: NodeJS.Timeout | undefined;
    const timeUp = new Promise<'time up'>((resolve) => {
      if (Number.isFinite(deadlineMs)) timer = setTimeout(() => resolve('time up'), Math.max(0, deadlineMs - Date.now()));
    });
    try {
      while (this.inFlight.size > 0) {
        if ((await Promise.race([Promise.all(this.inFlight.values()), timeUp])) === 'time up') break;
      }
    } finally {
      clearTimeout(timer);
    }
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
    const pass = this.drive(runId, this.lease)
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
