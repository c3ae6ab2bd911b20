import type { Logger } from '../log.js';
import type { DriveFn, PassResult, RunDriver, UrgentFn } from '../ops/engine/driver.js';
import { Scheduler } from '../ops/engine/scheduler.js';
import { retryOnDeadlock, type JobQueue } from './index.js';

/**
 * Runs driven by replicas through the job queue. Each run's next wake-up is one job keyed by the
 * run (pg-boss `stately` queue, `singletonKey` = run id): at most one wake-up waits and one pass is
 * active per run, on whichever process fetched it, so two passes of a run never run at once.
 * Timers and polls are jobs with a start time; a click on any process brings the wake-up forward.
 *
 * A pass holds its job as a lease: it writes and sends requests only until shortly before the
 * job's expiry (../ops/pass-lease.ts). While the pass is alive its process extends the job's expiry
 * (a heartbeat, every third of it), up to `maxPassSeconds`: so the expiry can be short, and a
 * process that dies mid-pass (SIGKILL, a lost dyno) loses its runs within seconds. pg-boss expires
 * the job and puts it back (a retry), and the process that fetches it re-probes the step as after a
 * crash. A pass that ends in time completes its job and sets the run's next wake-up in one
 * transaction, so no run is ever left without one.
 *
 * Never two drivers: a lease ends a margin (a third of the expiry) before the expiry Postgres
 * holds, counted from before the fetch or the heartbeat that set it; a heartbeat extends only the
 * job this pass fetched (id and retry count) while it is still active, so once the job expired or
 * went to another process, the lease runs out and the pass stops writing.
 */

export const RUN_QUEUE = 'run-wakeup';
/** The pg-boss priority of a wake-up of a run in its cutover (others have 0; higher is fetched first). */
const CUTOVER_PRIORITY = 10;

export interface QueueRunDriverOptions {
  queue: JobQueue;
  logger: Logger;
  /**
   * How long a job outlives its last heartbeat before another process may take the run: how long a
   * run waits after its process died; default 10 s.
   */
  expirySeconds?: number;
  /** The longest a pass may hold its run, heartbeats included (a pass stuck on a promise loses it); default three expiries. */
  maxPassSeconds?: number;
  /** Passes this process runs at once; default 8. */
  concurrency?: number;
  /** How often an idle process asks the queue for due wake-ups; default 1 s. */
  pollIntervalMs?: number;
}

interface RunJob {
  id: string;
  data: { runId: string };
  retryCount: number;
}

type Query = JobQueue['query'];

export class QueueRunDriver implements RunDriver {
  private drive: DriveFn | undefined;
  private urgent: UrgentFn = () => false;
  private readonly active = new Map<string, { runId: string; done: Promise<void> }>();
  /** Wake-ups this process set: it looks for them when they are due instead of at its next poll. */
  private readonly timers: Scheduler;
  private readonly expiryMs: number;
  private readonly maxPassMs: number;
  private readonly concurrency: number;
  private readonly pollIntervalMs: number;
  private running = false;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private nudge: (() => void) | undefined;
  private nudged = false;

  constructor(private readonly o: QueueRunDriverOptions) {
    this.expiryMs = (o.expirySeconds ?? 10) * 1000;
    this.maxPassMs = (o.maxPassSeconds ?? 3 * this.expiryMs / 1000) * 1000;
    // A wake-up asked for during a pass is set 10 expiries past the job's expiry (see wakeWith):
    // heartbeats must never carry the pass past it, or the wake-up would be due while the job is active.
    if (this.maxPassMs < this.expiryMs || this.maxPassMs >= 11 * this.expiryMs) throw new Error('maxPassSeconds must be between one and eleven expiries');
    this.concurrency = o.concurrency ?? 8;
    this.pollIntervalMs = o.pollIntervalMs ?? 1000;
    this.timers = new Scheduler(() => Date.now(), () => this.poke());
  }

  /** Creates the queue (once for all replicas) with its policy, expiry and retries. */
  async init(): Promise<void> {
    const options = {
      name: RUN_QUEUE,
      policy: 'stately' as const,
      expireInSeconds: this.expiryMs / 1000,
      // An expired pass goes back to the queue at once, as often as processes die.
      retryLimit: 1_000_000,
      retryDelay: 0,
      // A cutover scheduled weeks ahead keeps its wake-up.
      retentionMinutes: 366 * 24 * 60,
    };
    await retryOnDeadlock(() => this.o.queue.boss.createQueue(RUN_QUEUE, options));
    await retryOnDeadlock(() => this.o.queue.boss.updateQueue(RUN_QUEUE, options));
  }

  attach(drive: DriveFn, urgent?: UrgentFn): void {
    this.drive = drive;
    if (urgent) this.urgent = urgent;
  }

  async wake(runId: string, at = Date.now()): Promise<void> {
    await this.wakeWith(this.o.queue.query, runId, at);
  }

  async adopt(runId: string): Promise<boolean> {
    const { rows } = await this.o.queue.query(
      `select 1 from ${this.table()} where name = $1 and singleton_key = $2 and state in ('created', 'retry', 'active') limit 1`,
      [RUN_QUEUE, runId],
    );
    return rows.length === 0;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.loop = this.fetchLoop();
  }

  busy(runId: string): boolean {
    return [...this.active.values()].some((a) => a.runId === runId);
  }

  /** Wakes the run and waits, a few seconds at most, until `atRest` holds: the pass may run on another process. */
  async settle(runId: string, atRest: () => Promise<boolean>): Promise<void> {
    await this.wake(runId);
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline && !(await atRest())) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  async stop(deadlineMs = Date.now() + 10_000): Promise<void> {
    this.stopping = true;
    this.timers.stop();
    this.poke();
    await this.loop;
    // Passes in flight end at their next step (the executor is stopping) or are abandoned at the
    // deadline: their jobs then expire and another process takes the runs over.
    const left = Math.max(0, deadlineMs - Date.now());
    await Promise.race([Promise.all([...this.active.values()].map((a) => a.done)), new Promise((resolve) => setTimeout(resolve, left).unref())]);
  }

  private table(): string {
    return `${this.o.queue.schema}.job`;
  }

  /**
   * Brings the run's wake-up forward to `at`, or sends one. A wake-up is never due while a pass of
   * the run is active: pg-boss 10 fetches due jobs in order and a due job of a busy key fails the
   * whole fetch, stalling every run. It is set late instead, with `at` kept in its data; the pass,
   * when it ends, brings it forward (and if the pass dies, the retried job does the wake-up's work).
   * A run in its cutover gets a wake-up of higher priority: every process fetches it before the
   * other runs' due wake-ups (pg-boss fetches by priority, then creation).
   */
  private async wakeWith(query: Query, runId: string, at: number): Promise<void> {
    const wanted = new Date(at).toISOString();
    const priority = this.urgent(runId) ? CUTOVER_PRIORITY : 0;
    for (let attempt = 0; attempt < 3; attempt++) {
      const { rows } = await query(
        `select state, start_after, started_on + expire_in as expires from ${this.table()}
          where name = $1 and singleton_key = $2 and state in ('created', 'retry', 'active')`,
        [RUN_QUEUE, runId],
      );
      const stateOf = (s: string) => rows.find((r) => r.state === s);
      const retry = stateOf('retry');
      // An expired pass is about to run again and sees everything in the store.
      if (retry && (retry.start_after as Date).getTime() <= at) return;
      const active = stateOf('active');
      const startAfter = active ? Math.max(at, (active.expires as Date).getTime() + 10 * this.expiryMs) : at;
      if (stateOf('created')) {
        await query(
          `update ${this.table()} set start_after = least(start_after, $3::timestamptz), priority = $5,
             data = jsonb_set(data, '{at}', to_jsonb(least(coalesce((data->>'at')::timestamptz, $4::timestamptz), $4::timestamptz)))
           where name = $1 and singleton_key = $2 and state = 'created'`,
          [RUN_QUEUE, runId, new Date(startAfter).toISOString(), wanted, priority],
        );
        this.armFor(runId, startAfter);
        return;
      }
      const id = await this.o.queue.boss.send(RUN_QUEUE, { runId, at: wanted }, { singletonKey: runId, startAfter: new Date(startAfter), priority, db: { executeSql: query } });
      if (id) {
        this.armFor(runId, startAfter);
        return;
      }
      // Another process sent one meanwhile: look again.
    }
  }

  private armFor(runId: string, at: number): void {
    if (this.stopping) return;
    if (at <= Date.now()) this.poke();
    else this.timers.wakeAt(runId, at);
  }

  /** Makes the fetch loop look now instead of at its next poll. */
  private poke(): void {
    this.nudged = true;
    this.nudge?.();
  }

  /**
   * Fetches due wake-ups while this process has free pass slots. With every slot busy it waits for
   * a pass to end (which pokes) or the next poll: a poke then must not spin the loop, which would
   * block the event loop and with it every pass and every Slack request of the process.
   */
  private async fetchLoop(): Promise<void> {
    while (!this.stopping) {
      this.nudged = false;
      const free = this.concurrency - this.active.size;
      if (free > 0) {
        let fetched = 0;
        try {
          // Each job's clock in Postgres (started_on) starts during the fetch: the leases count from before it.
          const asked = Date.now();
          const jobs = (await this.o.queue.boss.fetch<{ runId: string }>(RUN_QUEUE, { batchSize: free, includeMetadata: true })) as RunJob[];
          fetched = jobs.length;
          for (const job of jobs) this.runJob(job, asked);
        } catch (error) {
          this.o.logger.error({ err: error }, 'could not fetch run wake-ups; trying again');
        }
        // A full batch may leave more due, and a poke during the fetch may mean a new one: look again.
        if ((fetched === free && fetched > 0) || this.nudged) continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.pollIntervalMs);
        this.nudge = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.nudge = undefined;
    }
  }

  private runJob(job: RunJob, asked: number): void {
    const { runId } = job.data;
    // The lease ends well before pg-boss may expire the job.
    const margin = this.margin();
    const lease = { deadline: asked + this.expiryMs - margin };
    const beat = setInterval(() => void this.heartbeat(job, asked, lease), this.expiryMs / 3);
    beat.unref();
    const done = (async () => {
      try {
        const result: PassResult = this.drive ? await this.drive(runId, lease) : { until: Date.now() };
        if (result === 'abandoned' || Date.now() >= lease.deadline) return;
        await this.finish(job, result);
      } catch (error) {
        this.o.logger.error({ err: error, runId }, 'could not finish a run wake-up; the queue hands it over at its expiry');
      }
    })().finally(() => {
      clearInterval(beat);
      this.active.delete(job.id);
      this.poke();
    });
    this.active.set(job.id, { runId, done });
  }

  private margin(): number {
    return this.expiryMs >= 15_000 ? Math.max(5_000, this.expiryMs / 3) : this.expiryMs / 3;
  }

  /**
   * Extends the job's expiry to an expiry from now (never past `maxPassMs` from its start) while the
   * pass holds it, and the lease with it. Only the job this pass fetched, still active: a job that
   * expired, or was fetched again by another process, is not this pass's any more and its lease runs out.
   */
  private async heartbeat(job: RunJob, asked: number, lease: { deadline: number }): Promise<void> {
    const sent = Date.now();
    if (sent >= lease.deadline || sent - asked >= this.maxPassMs) return;
    try {
      const { rowCount } = await this.o.queue.query(
        `update ${this.table()} set expire_in = least(now() - started_on + make_interval(secs => $4), make_interval(secs => $5))
          where name = $1 and id = $2 and retry_count = $3 and state = 'active'`,
        [RUN_QUEUE, job.id, job.retryCount, this.expiryMs / 1000, this.maxPassMs / 1000],
      );
      if (rowCount === 1) lease.deadline = Math.max(lease.deadline, Math.min(sent + this.expiryMs, asked + this.maxPassMs) - this.margin());
    } catch (error) {
      this.o.logger.warn({ err: error, runId: job.data.runId }, 'could not extend a run wake-up; the pass stops at its lease');
    }
  }

  /**
   * Completes the job and sets the run's next wake-up in one transaction. Completion matches the
   * fetch (id and retry count): a job that expired and was fetched again keeps its id.
   */
  private async finish(job: RunJob, result: PassResult): Promise<void> {
    const { runId } = job.data;
    await this.o.queue.transaction(async (query) => {
      const completed = await query(
        `update ${this.table()} set state = 'completed', completed_on = now()
          where name = $1 and id = $2 and state = 'active' and retry_count = $3`,
        [RUN_QUEUE, job.id, job.retryCount],
      );
      if (completed.rowCount !== 1) throw new Error(`run ${runId}: its wake-up ${job.id} was handed to another process`);
      // Wake-ups asked for during the pass were set late (see wakeWith): due now.
      await query(
        `update ${this.table()} set start_after = greatest(now(), coalesce((data->>'at')::timestamptz, now()))
          where name = $1 and singleton_key = $2 and state = 'created' and start_after > greatest(now(), coalesce((data->>'at')::timestamptz, now()))`,
        [RUN_QUEUE, runId],
      );
      if (typeof result === 'object') await this.wakeWith(query, runId, result.until);
    });
    this.poke();
  }
}
