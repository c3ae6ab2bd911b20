import type { DriveFn, PassResult, RunDriver, UrgentFn } from '../driver.js';
import type { PassLease } from '../../pass-lease.js';
import { Scheduler } from '../scheduler.js';

/** Passes of runs outside a cutover in flight at once, by default. */
const DEFAULT_CONCURRENCY = 16;

/**
 * One process drives every run (the embedded store): at most one pass of a run in flight, a kick
 * during a pass runs another right after it, and sleeping runs share one timer.
 *
 * A run in its cutover (writes stopped) is passed at once; other runs' passes are at most
 * `concurrency` in flight, the rest wait in order. With 200 runs polling, every due pass at once
 * would queue a cutover's store writes and requests behind all of theirs on the one event loop and
 * the one SQLite connection: the app's downtime would wait for the other runs' polling.
 */
export class InProcessDriver implements RunDriver {
  private readonly scheduler: Scheduler;
  private readonly inFlight = new Map<string, Promise<void>>();
  /** The passes in flight that count against `concurrency` (runs outside a cutover). */
  private readonly limited = new Set<string>();
  /** Runs due whose pass waits for a free slot, in the order they became due. */
  private readonly queued = new Set<string>();
  private readonly again = new Set<string>();
  private readonly concurrency: number;
  private drive: DriveFn | undefined;
  private urgent: UrgentFn = () => false;
  private stopping = false;
  /**
   * The passes' lease (../../pass-lease.ts): no end while the process runs; on stop it ends at the
   * stop's deadline, after which a pass writes nothing more and sends no Heroku request (those it
   * sends meanwhile time out by then). An action whose answer never came is re-probed on resume.
   */
  private readonly lease: { deadline: number } & PassLease = { deadline: Infinity };

  constructor(
    private readonly now: () => number,
    options: { concurrency?: number } = {},
  ) {
    this.concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    if (!(this.concurrency >= 1)) throw new Error(`passConcurrency must be 1 or more, not ${this.concurrency}`);
    this.scheduler = new Scheduler(now, (runId) => this.kick(runId));
  }

  attach(drive: DriveFn, urgent?: UrgentFn): void {
    this.drive = drive;
    if (urgent) this.urgent = urgent;
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
    // Someone waits for the answer (a cancel): this pass does not queue behind the others.
    this.kick(runId, true);
    for (let pass = this.inFlight.get(runId); pass; pass = this.inFlight.get(runId)) await pass;
  }

  /** Passes in flight get until `deadlineMs` (epoch ms, wall clock) to reach a persisted point; one still running then is abandoned. */
  async stop(deadlineMs = Infinity): Promise<void> {
    this.stopping = true;
    this.lease.deadline = deadlineMs;
    this.queued.clear();
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
  private kick(runId: string, now = false): void {
    if (this.stopping || !this.drive) return;
    if (this.inFlight.has(runId)) {
      this.again.add(runId);
      return;
    }
    const limited = !now && !this.urgent(runId);
    if (limited && this.limited.size >= this.concurrency) {
      this.queued.add(runId);
      return;
    }
    this.queued.delete(runId);
    if (limited) this.limited.add(runId);
    const pass = this.drive(runId, this.lease)
      .then((result) => this.after(runId, result))
      .finally(() => {
        this.inFlight.delete(runId);
        this.limited.delete(runId);
        // Kicked during its pass: it goes again, in its turn behind the runs already waiting.
        if (this.again.delete(runId)) {
          if (this.urgent(runId)) this.kick(runId);
          else this.queued.add(runId);
        }
        this.next();
      });
    this.inFlight.set(runId, pass);
  }

  /** Starts queued passes while there are free slots. */
  private next(): void {
    for (const runId of this.queued) {
      if (this.limited.size >= this.concurrency) return;
      this.queued.delete(runId);
      this.kick(runId);
    }
  }

  private after(runId: string, result: PassResult): void {
    if (this.stopping) return;
    if (typeof result === 'object') this.scheduler.wakeAt(runId, result.until);
    else this.scheduler.clear(runId);
  }
}
