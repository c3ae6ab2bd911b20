import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Logger } from '../log.js';
import { workQueue, type WorkQueue } from './work-queue.js';

/**
 * What a Slack request must pass before its ack, so runs come first: input within bounds, the
 * person within their command rate, and room in its lane. A run's commands, cancels and every
 * button click go to the `run` lane; reads (`status`, `plan`, `runs`, `maintenance`, `help` and
 * anything unknown) to the `read` lane, which is smaller and never holds up the other. A refusal
 * is the ack's own text: it costs no Heroku call, no store write and no outgoing request.
 */

export type Lane = 'run' | 'read';

/** Why a request was refused before any work: the reason codes of logs, metrics and tests. */
export type ShedReason = 'too_long' | 'rate_limited' | 'lane_full';

export type Admitted = { ok: true; lane: Lane } | { ok: false; reason: ShedReason; message: string };

export interface AdmissionOptions {
  logger: Logger;
  /** Commands one person may send per minute; default 20. */
  commandsPerMinute?: number;
  /** Button clicks one person may send per minute; default 60. */
  clicksPerMinute?: number;
  /** Run lane: commands that start or stop runs, and every click. Default 12 at once, 500 waiting. */
  run?: { concurrency?: number; maxWaiting?: number };
  /** Read lane. Default 4 at once, 40 waiting. */
  read?: { concurrency?: number; maxWaiting?: number };
  /**
   * Count each person's commands and clicks in this Redis, so that every replica enforces one
   * limit (REDIS_URL). While Redis cannot answer, each process counts on its own.
   */
  redisUrl?: string;
  /** Prefix of the Redis keys; replicas sharing the limit use the same one. */
  keyPrefix?: string;
}

export interface AdmissionStats {
  /** Requests refused before any work, by reason and lane, since start. */
  shed: Record<ShedReason, number>;
  lanes: Record<Lane, { running: number; waiting: number }>;
}

export interface Admission {
  /** A `/connect` command, before its ack. */
  command(userId: string, text: string): Promise<Admitted>;
  /** A button click, before its ack; `value` is the button's value. */
  click(userId: string, value: unknown): Promise<Admitted>;
  run<T>(lane: Lane, task: () => Promise<T>): Promise<T>;
  stats(): AdmissionStats;
  /**
   * Resolves once the shared counts can be read (true), or at once without Redis (false); false too
   * after `withinMs` without an answer: until then each process counts on its own.
   */
  connected(withinMs?: number): Promise<boolean>;
  /** Forgets every person's count (and the timers that expire them): the bot is stopping. */
  close(): Promise<void>;
}

/** Slack sends at most a few thousand characters of command text; more is not a command. */
export const MAX_COMMAND_TEXT = 4000;
/** Slack's own limit on a button's value. */
export const MAX_BUTTON_VALUE = 2000;

/** The commands that start, stop or roll back runs: never queued behind reads. */
const READ_COMMANDS = new Set(['', 'help', 'status', 'plan', 'runs', 'maintenance']);

const SHED_LOG_EVERY_MS = 10_000;

export function createAdmission(options: AdmissionOptions): Admission {
  const commandsPerMinute = options.commandsPerMinute ?? 20;
  const redis = options.redisUrl ? redisClient(options.redisUrl, options.logger) : undefined;
  const prefix = options.keyPrefix ?? 'connect-ops:admission';
  const commands = personLimiter(redis, `${prefix}:commands`, commandsPerMinute);
  const clicks = personLimiter(redis, `${prefix}:clicks`, options.clicksPerMinute ?? 60);
  const lanes: Record<Lane, WorkQueue> = {
    run: workQueue(options.run?.concurrency ?? 12, options.run?.maxWaiting ?? 500),
    read: workQueue(options.read?.concurrency ?? 4, options.read?.maxWaiting ?? 40),
  };
  const shed: Record<ShedReason, number> = { too_long: 0, rate_limited: 0, lane_full: 0 };
  // Who has a count, so that close() can clear them: one entry per person who used the bot.
  const counted = new Set<string>();
  const consume = (limiter: PersonLimiter, key: string) => {
    counted.add(key);
    return waitBefore(limiter, key);
  };

  // Shedding is logged at warn, at most every ten seconds with what was shed meanwhile: a storm
  // of refusals must not become a storm of log lines.
  let unlogged: Partial<Record<`${ShedReason}:${Lane}`, number>> = {};
  let loggedAt = 0;
  const refuse = (reason: ShedReason, lane: Lane, message: string): Admitted => {
    shed[reason] += 1;
    unlogged[`${reason}:${lane}`] = (unlogged[`${reason}:${lane}`] ?? 0) + 1;
    if (Date.now() - loggedAt >= SHED_LOG_EVERY_MS) {
      options.logger.warn({ shed: unlogged, lanes: sizes() }, 'refused Slack requests before any work to keep runs going');
      unlogged = {};
      loggedAt = Date.now();
    }
    return { ok: false, reason, message };
  };
  const sizes = () => ({ run: lanes.run.size(), read: lanes.read.size() });

  const room = (lane: Lane): Admitted =>
    lanes[lane].hasRoom()
      ? { ok: true, lane }
      : lane === 'read'
        ? refuse('lane_full', lane, 'connect-ops is busy with other questions right now (runs, approvals and cancels go first). Ask again in a minute.')
        : refuse('lane_full', lane, 'connect-ops has more run requests than it can take right now; nothing was done. Try again in a minute.');

  return {
    async command(userId, text) {
      const lane = laneOf(text);
      if (text.length > MAX_COMMAND_TEXT) {
        return refuse('too_long', lane, `That command is ${text.length.toLocaleString('en-US')} characters long; \`/connect\` reads at most ${MAX_COMMAND_TEXT.toLocaleString('en-US')}. Nothing was done.`);
      }
      const wait = await consume(commands, userId);
      if (wait !== null) {
        return refuse('rate_limited', lane, `You have sent ${commandsPerMinute} commands in the last minute, as many as connect-ops answers one person, so that runs keep going. Try again in ${Math.ceil(wait / 1000)} s.`);
      }
      return room(lane);
    },
    async click(userId, value) {
      if (typeof value === 'string' && value.length > MAX_BUTTON_VALUE) {
        return refuse('too_long', 'run', `That button's value is longer than Slack allows (${MAX_BUTTON_VALUE.toLocaleString('en-US')} characters), so it is not one connect-ops made; nothing was done.`);
      }
      const wait = await consume(clicks, userId);
      if (wait !== null) return refuse('rate_limited', 'run', `That is a lot of clicks in a minute; connect-ops took the first ones. Try again in ${Math.ceil(wait / 1000)} s.`);
      return room('run');
    },
    run: (lane, task) => lanes[lane].run(task),
    stats: () => ({ shed: { ...shed }, lanes: sizes() }),
    async connected(withinMs = 2000) {
      if (!redis) return false;
      if (redis.status === 'ready') return true;
      let timer: NodeJS.Timeout | undefined;
      let onReady: (() => void) | undefined;
      const ready = new Promise<boolean>((resolve) => redis.once('ready', (onReady = () => resolve(true))));
      const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), withinMs)));
      const answer = await Promise.race([ready, late]);
      clearTimeout(timer);
      if (onReady) redis.off('ready', onReady);
      return answer;
    },
    async close() {
      // Only this process's counts (and their expiry timers) go: the Redis ones belong to every replica and expire on their own.
      await Promise.all([...counted].flatMap((key) => [commands.memory.delete(key), clicks.memory.delete(key)]));
      counted.clear();
      if (redis?.status === 'ready') await redis.quit().catch(() => redis.disconnect());
      else redis?.disconnect();
    },
  };
}

/** The lane of a command, from its first word alone (the text is parsed later, in the lane). */
export function laneOf(text: string): Lane {
  const first = /^\s*(\S{0,32})/.exec(text)?.[1]?.toLowerCase() ?? '';
  return READ_COMMANDS.has(first) ? 'read' : 'run';
}

/** A per-person limit: in Redis when there is one (with the in-memory one as its insurance), else in memory. */
interface PersonLimiter {
  limiter: RateLimiterAbstract;
  memory: RateLimiterMemory;
}

function personLimiter(redis: Redis | undefined, keyPrefix: string, points: number): PersonLimiter {
  const memory = new RateLimiterMemory({ keyPrefix, points, duration: 60 });
  if (!redis) return { limiter: memory, memory };
  // rate-limiter-flexible's Redis limiter is atomic (one Lua script per consume); without a ready
  // connection it asks the insurance limiter at once rather than waiting for a reconnect.
  const limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix, points, duration: 60, rejectIfRedisNotReady: true, insuranceLimiter: memory });
  return { limiter, memory };
}

function redisClient(url: string, logger: Logger): Redis {
  // Heroku Redis serves rediss:// with a self-signed certificate; commands fail fast while it is
  // down (no offline queue), so a refused ack never waits for Redis.
  const client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, ...(url.startsWith('rediss:') ? { tls: { rejectUnauthorized: false } } : {}) });
  // Said once per outage, not once per reconnect attempt.
  let down = false;
  client.on('error', (error: Error) => {
    if (!down) logger.warn({ err: error }, 'Redis is not answering: each process counts commands and clicks per person on its own until it is back');
    down = true;
  });
  client.on('ready', () => (down = false));
  return client;
}

/** Null when the person may go on; else milliseconds until they may. */
async function waitBefore({ limiter }: PersonLimiter, key: string): Promise<number | null> {
  try {
    await limiter.consume(key);
    return null;
  } catch (error) {
    if (error instanceof RateLimiterRes) return error.msBeforeNext;
    throw error;
  }
}
