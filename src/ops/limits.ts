import { setTimeout as sleep } from 'node:timers/promises';
import Bottleneck from 'bottleneck';
import { Redis } from 'ioredis';

/**
 * Every Heroku call goes through one of these limiters (Bottleneck). The Platform API and the
 * Postgres data API share the account's token bucket; Heroku Connect and the status feeds have
 * their own conservative limiters. With a Redis URL the limiters are clustered, so several
 * replicas of the bot spend one budget.
 */

export type Priority = 'interactive' | 'background';

export interface ScheduleOptions {
  /** A user waiting in Slack (`interactive`) goes ahead of polling (`background`, the default). */
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

export interface Limits {
  /** The account's bucket, shared by the Platform API and the Postgres data API. */
  heroku: Limiter;
  connect: Limiter;
  statusFeeds: Limiter;
  /**
   * Lowers the Heroku bucket to what a `RateLimit-Remaining` header says is left (never raises it).
   * Responses need not wait for it: corrections run one at a time, coalescing those that queue up.
   */
  observeRemaining(remaining: number): Promise<void>;
  /** Tokens the Heroku bucket believes it has left, once the corrections under way are applied. */
  herokuRemaining(): Promise<number>;
  disconnect(): Promise<void>;
}

export interface LimitsOptions {
  /** Cluster the limiters through this Redis (several replicas share one budget). */
  redisUrl?: string;
  /** Heroku's bucket: 4,500 tokens, refilled 75 per minute (reference section 3). */
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
}

const PRIORITY: Record<Priority, number> = { interactive: 1, background: 5 };

// Heroku's Go client: first wait 30 s, doubling, randomisation 0.25, at most 900 s.
const BACKOFF_START_MS = 30_000;
const BACKOFF_MAX_MS = 900_000;
const BACKOFF_JITTER = 0.25;

// Longer than any request with its retries may take.
const JOB_EXPIRATION_MS = 120_000;
// An idle budget is full again after capacity / refill (an hour for Heroku); its Redis keys can go then.
const IDLE_KEY_TTL_MS = 3_600_000;

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
    reservoirIncreaseInterval: refill.intervalMs,
    reservoirIncreaseMaximum: capacity,
    // The refill is applied on the heartbeat; beat often enough that it is not delayed much.
    heartbeatInterval: Math.max(2, Math.min(250, refill.intervalMs / 5)),
  });
  // Heroku Connect documents no limit, and the status pages are public sites: stay gentle.
  const connect = new Bottleneck({ ...cluster, id: `${prefix}:connect`, maxConcurrent: 4, minTime: 100 / timeScale });
  const statusFeeds = new Bottleneck({ ...cluster, id: `${prefix}:status-feeds`, maxConcurrent: 1, minTime: 1000 / timeScale });
  const limiters = [heroku, connect, statusFeeds];

  const backoff = (attempt: number) => {
    const base = Math.min(BACKOFF_START_MS * 2 ** attempt, BACKOFF_MAX_MS);
    return (base * (1 - BACKOFF_JITTER + Math.random() * 2 * BACKOFF_JITTER)) / timeScale;
  };
  const wrap = (limiter: Bottleneck): Limiter => ({
    async schedule(scheduleOptions, task) {
      const job = { priority: PRIORITY[scheduleOptions.priority ?? 'background'], weight: scheduleOptions.free ? 0 : 1, expiration };
      for (let attempt = 0; ; attempt++) {
        try {
          return await limiter.schedule(job, task);
        } catch (error) {
          if (!isRateLimited(error) || attempt >= maxRetries) throw error;
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
    heroku: wrap(heroku),
    connect: wrap(connect),
    statusFeeds: wrap(statusFeeds),
    observeRemaining,
    async herokuRemaining() {
      await correcting;
      return (await heroku.currentReservoir()) ?? capacity;
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
