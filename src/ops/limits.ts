import { setTimeout as sleep } from 'node:timers/promises';
import Bottleneck from 'bottleneck';
import { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import { ambientPriority } from './request-priority.js';

/**
 * Every Heroku call goes through one of these limiters (Bottleneck). The Platform API and the
 * Postgres data API share the account's token bucket; Heroku Connect and the status feeds have
 * their own conservative limiters. With a Redis URL the limiters are clustered, so several
 * replicas of the bot spend one budget.
 */

/**
 * `cutover`: a run's step while the app's writes are stopped (goes first: every second of it is the
 * app's downtime); `interactive`: a user waiting on a run; `background`: a run's steps and polling
 * (the default); `read`: a read nobody's run waits for (`status`, plans), which goes last and spends
 * only its own share of the budget (see `ReadRefused`). A request without one takes the priority of
 * the work it is made in (request-priority.ts), else `background`.
 */
export type Priority = 'cutover' | 'interactive' | 'background' | 'read';

export interface ScheduleOptions {
  /** A user waiting in Slack (`interactive`) goes ahead of polling (`background`, the default), and reads (`read`) after both. */
  priority?: Priority;
  /** The request costs no token (GET /account/rate-limits), but still queues behind the others. */
  free?: boolean;
}

export interface Limiter {
  /**
   * Runs `task` when the budget allows. A task that fails with HTTP 429 (an error whose `status`
   * is 429) waits with exponential backoff and jitter and runs again, a bounded number of times:
   * Heroku did not execute a request it answered with 429, so this is safe even for mutations.
   */
  schedule<T>(options: ScheduleOptions, task: () => Promise<T>): Promise<T>;
  /** Calls of this process waiting for the budget (for metrics). */
  queued(): number;
}

/** Why a read was refused without calling Heroku: reason codes of logs, metrics and messages. */
export type ReadShedReason = 'budget_low' | 'read_share_spent' | 'too_many_reads';

/**
 * A `read` the limiter refused so that runs keep the budget: the bucket is down to the reserve
 * runs need, the reads' own share is spent, or too many reads are already waiting. Heroku was not
 * called; asking again later works.
 */
export class ReadRefused extends Error {
  constructor(
    readonly reason: ReadShedReason,
    message: string,
  ) {
    super(message);
    this.name = 'ReadRefused';
  }
}

export interface LimitsStats {
  /** Tokens the Heroku bucket believes it has left. */
  herokuRemaining: number;
  /** Tokens left of the reads' own share. */
  readsRemaining: number;
  /** True while the bucket is at or below the reserve kept for runs. */
  budgetLow: boolean;
  /** Reads refused since start, by reason. */
  readsShed: Record<ReadShedReason, number>;
  /** Calls of this process waiting, per limiter. */
  queued: { heroku: number; connect: number; statusFeeds: number; reads: number };
}

export interface Limits {
  /** The account's bucket, shared by the Platform API and the Postgres data API. */
  heroku: Limiter;
  connect: Limiter;
  statusFeeds: Limiter;
  /**
   * Slack's `chat.update` (Tier 3, about 50 a minute per workspace): one budget for every run's
   * message edits, shared by the replicas through Redis.
   */
  slackUpdates: Limiter;
  /**
   * Lowers the Heroku bucket to what a `RateLimit-Remaining` header says is left (never raises it).
   * Responses need not wait for it: corrections run one at a time, coalescing those that queue up.
   */
  observeRemaining(remaining: number): Promise<void>;
  /** Tokens the Heroku bucket believes it has left, once the corrections under way are applied. */
  herokuRemaining(): Promise<number>;
  /** The budget, what reads were refused and what waits (for /metrics). */
  stats(): Promise<LimitsStats>;
  disconnect(): Promise<void>;
}

export interface LimitsOptions {
  /** Cluster the limiters through this Redis (several replicas share one budget). */
  redisUrl?: string;
  /** Heroku's bucket: 4,500 tokens, refilled 75 per minute (docs/reference/heroku-platform-and-postgres-api.md, "Rate limits"). */
  capacity?: number;
  refillPerMinute?: number;
  /**
   * Shortens 429 backoff and the spacing of Connect and status-feed calls by this factor (sandbox
   * and tests only). The bucket refills in real time, as Heroku's (and the simulator's) does.
   */
  timeScale?: number;
  /** Prefix of the limiters' ids, which name their Redis keys; replicas sharing a budget use the same one. */
  id?: string;
  /** Retries after a 429 before the error reaches the caller. */
  maxRateLimitRetries?: number;
  /**
   * Reads (`read` priority) may spend this share of the bucket, refilled at the same share of the
   * rate (default 0.2: 900 of 4,500, 15 a minute), and never the last `readReserve` of it (default
   * 0.2): a storm of `status` cannot take the tokens a run's next step needs.
   */
  readShare?: number;
  readReserve?: number;
  /** Reads running at once (default 3) and waiting (default 30) before more are refused. */
  readConcurrency?: number;
  readQueue?: number;
  /** Where a low budget and refused reads are reported (at warn). */
  logger?: Logger;
}

const PRIORITY: Record<Priority, number> = { cutover: 0, interactive: 1, background: 5, read: 8 };
const PRESSURE_LOG_EVERY_MS = 10_000;

// Heroku's Go client: first wait 30 s, doubling, randomisation 0.25, at most 900 s.
const BACKOFF_START_MS = 30_000;
const BACKOFF_MAX_MS = 900_000;
const BACKOFF_JITTER = 0.25;

// Longer than any request with its retries may take.
const JOB_EXPIRATION_MS = 120_000;
// An idle budget is full again after capacity / refill (an hour for Heroku); its Redis keys can go then.
const IDLE_KEY_TTL_MS = 3_600_000;
// Slack's Tier 3: "50+ per minute" per method and workspace. Slack is not simulated: never time-scaled.
const SLACK_TIER3_PER_MINUTE = 50;

/**
 * Bottleneck's Redis mode stalls on durations that are not whole milliseconds (a Connect limiter
 * with `minTime` 100 ms / 600 ran none of its jobs), so every duration given to a limiter is one.
 */
export const wholeMs = (ms: number): number => Math.max(1, Math.round(ms));

export function createLimits(options: LimitsOptions = {}): Limits {
  const timeScale = options.timeScale ?? 1;
  const capacity = options.capacity ?? 4500;
  const refillPerMinute = options.refillPerMinute ?? 75;
  const prefix = options.id ?? 'connect-ops';
  const maxRetries = options.maxRateLimitRetries ?? 4;
  const connection = options.redisUrl ? redisConnection(options.redisUrl) : undefined;
  const cluster = connection ? { datastore: 'ioredis', connection, timeout: IDLE_KEY_TTL_MS } : {};
  // Only a shared budget needs expiring jobs: a replica that dies mid-request would hold its slot in Redis forever.
  const expiration = connection ? JOB_EXPIRATION_MS : undefined;

  const refill = refillTick(refillPerMinute);
  const heroku = new Bottleneck({
    ...cluster,
    id: `${prefix}:heroku`,
    maxConcurrent: 10,
    reservoir: capacity,
    reservoirIncreaseAmount: refill.amount,
    reservoirIncreaseInterval: wholeMs(refill.intervalMs),
    reservoirIncreaseMaximum: capacity,
    // The refill is applied on the heartbeat; beat often enough that it is not delayed much.
    heartbeatInterval: wholeMs(Math.max(2, Math.min(250, refill.intervalMs / 5))),
  });
  // Heroku Connect documents no limit, and the status pages are public sites: stay gentle.
  const connect = new Bottleneck({ ...cluster, id: `${prefix}:connect`, maxConcurrent: 4, minTime: wholeMs(100 / timeScale) });
  const statusFeeds = new Bottleneck({ ...cluster, id: `${prefix}:status-feeds`, maxConcurrent: 1, minTime: wholeMs(1000 / timeScale) });
  const readShare = options.readShare ?? 0.2;
  const reserve = Math.floor(capacity * (options.readReserve ?? 0.2));
  const readRefill = refillTick(refillPerMinute * readShare);
  const readCapacity = Math.max(1, Math.floor(capacity * readShare));
  const readQueue = options.readQueue ?? 30;
  // The reads' own share: a bucket no job waits on; a read takes a token or is refused at once.
  const readShareBucket = new Bottleneck({
    ...cluster,
    id: `${prefix}:heroku-read-share`,
    reservoir: readCapacity,
    reservoirIncreaseAmount: readRefill.amount,
    reservoirIncreaseInterval: wholeMs(readRefill.intervalMs),
    reservoirIncreaseMaximum: readCapacity,
    heartbeatInterval: wholeMs(Math.max(2, Math.min(250, readRefill.intervalMs / 5))),
  });
  // The reads' queue: a few at a time, a bounded number waiting.
  const reads = new Bottleneck({
    ...cluster,
    id: `${prefix}:heroku-reads`,
    maxConcurrent: options.readConcurrency ?? 3,
    highWater: readQueue,
    strategy: Bottleneck.strategy.OVERFLOW,
  });
  // A token is taken by one atomic decrement (a Lua script in Redis, shared by the replicas) that
  // answers what is left; a read that took it below zero gives it back and is refused. Two reads,
  // in one process or in two, never both take the last token (a check then a decrement could).
  const takeReadToken = async (): Promise<boolean> => {
    const left = await readShareBucket.incrementReservoir(-1);
    if (left === null || left === undefined || left >= 0) return true;
    await readShareBucket.incrementReservoir(1);
    return false;
  };
  const slackTick = refillTick(SLACK_TIER3_PER_MINUTE);
  const slackUpdates = new Bottleneck({
    ...cluster,
    id: `${prefix}:slack-chat-update`,
    maxConcurrent: 4,
    reservoir: SLACK_TIER3_PER_MINUTE,
    reservoirIncreaseAmount: slackTick.amount,
    reservoirIncreaseInterval: wholeMs(slackTick.intervalMs),
    reservoirIncreaseMaximum: SLACK_TIER3_PER_MINUTE,
    heartbeatInterval: 250,
  });
  const limiters = [heroku, connect, statusFeeds, reads, readShareBucket, slackUpdates];

  const readsShed: Record<ReadShedReason, number> = { budget_low: 0, read_share_spent: 0, too_many_reads: 0 };
  // A low budget and refused reads are logged at warn, at most every ten seconds with the counts since.
  let unlogged: Partial<Record<ReadShedReason, number>> = {};
  let loggedAt = 0;
  const pressure = (remaining: number) => {
    if (Date.now() - loggedAt < PRESSURE_LOG_EVERY_MS) return;
    options.logger?.warn({ remaining, reserve, readsShed: unlogged }, 'the Heroku API budget is kept for runs: reads are refused until it refills');
    unlogged = {};
    loggedAt = Date.now();
  };
  const refuseRead = async (reason: ReadShedReason): Promise<never> => {
    readsShed[reason] += 1;
    unlogged[reason] = (unlogged[reason] ?? 0) + 1;
    const remaining = (await heroku.currentReservoir()) ?? capacity;
    pressure(remaining);
    const why =
      reason === 'budget_low'
        ? `the Heroku API budget is down to ${remaining} of ${capacity} calls, kept for the steps of runs`
        : reason === 'read_share_spent'
          ? 'reads have spent their share of the Heroku API budget for now'
          : 'too many reads are already waiting for Heroku';
    throw new ReadRefused(reason, `Not asked: ${why}. Runs go on; ask again in a few minutes.`);
  };

  const backoff = (attempt: number) => {
    const base = Math.min(BACKOFF_START_MS * 2 ** attempt, BACKOFF_MAX_MS);
    return (base * (1 - BACKOFF_JITTER + Math.random() * 2 * BACKOFF_JITTER)) / timeScale;
  };
  const wrap = (limiter: Bottleneck, budget: boolean): Limiter => ({
    async schedule(scheduleOptions, task) {
      const priority = scheduleOptions.priority ?? ambientPriority() ?? 'background';
      const job = { priority: PRIORITY[priority], weight: scheduleOptions.free ? 0 : 1, expiration };
      // A read on the account's budget goes through the reads' share and never below the reserve;
      // it is refused rather than retried after a 429: nobody's run waits for it.
      if (priority === 'read' && budget) {
        if (((await heroku.currentReservoir()) ?? capacity) <= reserve) return refuseRead('budget_low');
        if (reads.queued() >= readQueue) return refuseRead('too_many_reads');
        if (!(await takeReadToken())) return refuseRead('read_share_spent');
        return reads.schedule({ expiration }, () => limiter.schedule(job, task)).catch((error: unknown) => {
          if (error instanceof Bottleneck.BottleneckError) return refuseRead('too_many_reads');
          throw error;
        });
      }
      for (let attempt = 0; ; attempt++) {
        try {
          return await limiter.schedule(job, task);
        } catch (error) {
          if (!isRateLimited(error) || attempt >= maxRetries || priority === 'read') throw error;
          await sleep(backoff(attempt));
        }
      }
    },
    queued: () => limiter.queued(),
  });

  // One correction at a time, with whatever arrived meanwhile folded into the next: two concurrent
  // read-then-lower steps would lower the bucket twice.
  let pending: number | undefined;
  let correcting: Promise<void> | undefined;
  const correct = async (remaining: number) => {
    // Requests already sent but not yet counted by Heroku will spend tokens too (minus the one reporting).
    const othersInFlight = Math.max(0, (await heroku.running()) - 1);
    const target = Math.max(0, Math.floor(remaining) - othersInFlight);
    const current = (await heroku.currentReservoir()) ?? capacity;
    if (current > target) await heroku.incrementReservoir(target - current);
    if (target <= reserve) pressure(target);
  };
  const observeRemaining = (remaining: number): Promise<void> => {
    pending = Math.min(pending ?? Infinity, remaining);
    correcting ??= (async () => {
      try {
        while (pending !== undefined) {
          const next = pending;
          pending = undefined;
          await correct(next);
        }
      } finally {
        correcting = undefined;
      }
    })();
    return correcting;
  };

  return {
    heroku: wrap(heroku, true),
    connect: wrap(connect, false),
    statusFeeds: wrap(statusFeeds, false),
    slackUpdates: wrap(slackUpdates, false),
    observeRemaining,
    async herokuRemaining() {
      await correcting;
      return (await heroku.currentReservoir()) ?? capacity;
    },
    async stats() {
      await correcting;
      const herokuRemaining = (await heroku.currentReservoir()) ?? capacity;
      return {
        herokuRemaining,
        readsRemaining: (await readShareBucket.currentReservoir()) ?? readCapacity,
        budgetLow: herokuRemaining <= reserve,
        readsShed: { ...readsShed },
        queued: { heroku: heroku.queued(), connect: connect.queued(), statusFeeds: statusFeeds.queued(), reads: reads.queued() },
      };
    },
    async disconnect() {
      await correcting?.catch(() => undefined);
      await Promise.all(limiters.map((l) => l.disconnect(false)));
      await connection?.disconnect();
    },
  };
}

/** Refill one token at a time where possible, so the bucket never runs much ahead of Heroku's. */
function refillTick(perMinute: number): { amount: number; intervalMs: number } {
  const perMs = perMinute / 60_000;
  const minIntervalMs = 20;
  const amount = Math.max(1, Math.ceil(perMs * minIntervalMs));
  return { amount, intervalMs: amount / perMs };
}

function isRateLimited(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'status' in error && error.status === 429;
}

function redisConnection(url: string): Bottleneck.IORedisConnection {
  // Heroku Redis serves rediss:// with a self-signed certificate.
  const client = new Redis(url, url.startsWith('rediss:') ? { tls: { rejectUnauthorized: false } } : {});
  return new Bottleneck.IORedisConnection({ client, Redis });
}
