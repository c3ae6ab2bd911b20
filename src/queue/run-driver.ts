import type { Logger } from '../log.js';
import type { DriveFn, PassResult, RunDriver } from '../ops/engine/driver.js';
import { Scheduler } from '../ops/engine/scheduler.js';
import { retryOnDeadlock, type JobQueue } from './index.js';

/**
 * Runs driven by replicas through the job queue. Each run's next wake-up is one job keyed by the
 * run (pg-boss `stately` queue, `singletonKey` = run id): at most one wake-up waits and one pass is
 * active per run, on whichever process fetched it, so two passes of a run never run at once.
 * Timers and polls are jobs with a start time; a click on any process brings the wake-up forward.
 *
 * A pass holds its job as a lease: it writes and sends requests only until shortly before the
 * job's expiry (../ops/pass-lease.ts). A process that dies mid-pass leaves its job active; pg-boss
 * expires it and puts it back (a retry), and the process that fetches it re-probes the step as
 * after a crash. A pass that ends in time completes its job and sets the run's next wake-up in one
 * transaction, so no run is ever left without one.
 */

export const RUN_QUEUE = 'run-wakeup';

export interface QueueRunDriverOptions {
  queue: JobQueue;
  logger: Logger;
  /** How long a pass may hold its run's job before another process may take it; default 30 s. */
  expirySeconds?: number;
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
  private readonly active = new Map<string, { runId: string; done: Promise<void> }>();
  /** Wake-ups this process set: it looks for them when they are due instead of at its next poll. */
  private readonly timers: Scheduler;
  private readonly expiryMs: number;
  private readonly concurrency: number;
  private readonly pollIntervalMs: number;
  private running = false;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private nudge: (() => void) | undefined;
  private nudged = false;

  constructor(private readonly o: QueueRunDriverOptions) {
    this.expiryMs = (o.expirySeconds ?? 30) * 1000;
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

  attach(drive: DriveFn): void {
    this.drive = drive;
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
   */
  private async wakeWith(query: Query, runId: string, at: number): Promise<void> {
    const wanted = new Date(at).toISOString();
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
          `update ${this.table()} set start_after = least(start_after, $3::timestamptz),
             data = jsonb_set(data, '{at}', to_jsonb(least(coalesce((data->>'at')::timestamptz, $4::timestamptz), $4::timestamptz)))
           where name = $1 and singleton_key = $2 and state = 'created'`,
          [RUN_QUEUE, runId, new Date(startAfter).toISOString(), wanted],
        );
        this.armFor(runId, startAfter);
        return;
      }
      const id = await this.o.queue.boss.send(RUN_QUEUE, { runId, at: wanted }, { singletonKey: runId, startAfter: new Date(startAfter), db: { executeSql: query } });
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
          const jobs = (await this.o.queue.boss.fetch<{ runId: string }>(RUN_QUEUE, { batchSize: free, includeMetadata: true })) as RunJob[];
          fetched = jobs.length;
          for (const job of jobs) this.runJob(job);
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

  private runJob(job: RunJob): void {
    const { runId } = job.data;
    // The lease ends well before pg-boss may expire the job (its clock started at the fetch, before now).
    const margin = this.expiryMs >= 15_000 ? Math.max(5_000, this.expiryMs / 3) : this.expiryMs / 3;
    const lease = { deadline: Date.now() + this.expiryMs - margin };
    const done = (async () => {
      try {
        const result: PassResult = this.drive ? await this.drive(runId, lease) : { until: Date.now() };
        if (result === 'abandoned' || Date.now() >= lease.deadline) return;
        await this.finish(job, result);
      } catch (error) {
        this.o.logger.error({ err: error, runId }, 'could not finish a run wake-up; the queue hands it over at its expiry');
      }
    })().finally(() => {
      this.active.delete(job.id);
      this.poke();
    });
    this.active.set(job.id, { runId, done });
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
