/**
 * What the rate limiter adds to each Heroku call: the same PlatformClient call to the same local
 * server (in a child process), once with a pass-through limiter and once through createLimits()
 * (in process, and clustered through Redis when one is reachable), interleaved in rounds so all
 * see the same machine. Prints ms per call and the ratio against the unthrottled calls, for calls
 * made one at a time (the latency a caller sees) and ten at a time (a busy bot).
 *
 *   npx tsx bench/limiter.ts            (REDIS_URL defaults to redis://127.0.0.1:6379)
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { createLogger } from '../src/log.js';
import { createHttp } from '../src/ops/heroku/http.js';
import { PlatformClient } from '../src/ops/heroku/platform.js';
import { createLimits, type Limiter, type Limits } from '../src/ops/limits.js';

const ROUNDS = 10;
const CALLS_PER_ROUND = 100;
const WARMUP = 100;
const CONCURRENCY = [1, 10];

const server = fork(fileURLToPath(new URL('./support/server.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'] });
const port = await new Promise<number>((resolve) => server.once('message', (m: { port: number }) => resolve(m.port)));
const baseUrl = `http://127.0.0.1:${port}`;
const logger = createLogger({ level: 'silent' });

const unthrottled: Limiter = { schedule: (_options, task) => task(), queued: () => 0 };
const platformThrough = (limiter: Limiter, limits?: Limits) =>
  new PlatformClient(createHttp({ api: 'platform', token: 'bench-token', limiter, logger, headers: {}, observeRemaining: limits?.observeRemaining }), baseUrl);

interface Contender {
  name: string;
  platform: PlatformClient;
  /** Total ms per concurrency level. */
  totalMs: Map<number, number>;
}

const contenders: Contender[] = [{ name: 'unthrottled', platform: platformThrough(unthrottled), totalMs: new Map() }];
const opened: Limits[] = [];
const addLimited = (name: string, limits: Limits) => {
  opened.push(limits);
  contenders.push({ name, platform: platformThrough(limits.heroku, limits), totalMs: new Map() });
};
// Each limiter spends 2,100 of its 4,500 tokens: this measures overhead, not throttling.
addLimited('limiter (in process)', createLimits());
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
if (await reachable(redisUrl)) addLimited('limiter (Redis)', createLimits({ redisUrl, id: `bench-${process.pid}` }));
else console.log(`(no Redis at ${redisUrl}: clustered limiter not measured)`);

for (const c of contenders) await run(c.platform, WARMUP, 1);
for (let round = 0; round < ROUNDS; round++) {
  for (const concurrency of CONCURRENCY) {
    for (const c of contenders) {
      const started = process.hrtime.bigint();
      await run(c.platform, CALLS_PER_ROUND, concurrency);
      c.totalMs.set(concurrency, (c.totalMs.get(concurrency) ?? 0) + Number(process.hrtime.bigint() - started) / 1e6);
    }
  }
}

const calls = ROUNDS * CALLS_PER_ROUND;
console.log(`limiter overhead: ${calls} GET /apps/{app} per contender and concurrency, local server in a child process`);
for (const concurrency of CONCURRENCY) {
  console.log(`${concurrency === 1 ? 'one call at a time' : `${concurrency} calls at a time`} (wall-clock ms per call):`);
  const perCall = (c: Contender) => (c.totalMs.get(concurrency) ?? 0) / calls;
  const baseline = perCall(contenders[0]!);
  for (const c of contenders) {
    const ms = perCall(c);
    const ratio = c === contenders[0] ? '' : `  ratio ${(ms / baseline).toFixed(2)}  (+${(ms - baseline).toFixed(3)} ms/call)`;
    console.log(`  ${c.name.padEnd(22)} ${ms.toFixed(3)} ms/call${ratio}`);
  }
}

await Promise.all(opened.map((l) => l.disconnect()));
await cleanUpRedis();
server.kill();

/** n calls, `concurrency` of them in flight at any time. */
async function run(platform: PlatformClient, n: number, concurrency: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next++ < n) await platform.app('acme-prod');
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function reachable(url: string): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await probe.connect();
    await probe.ping();
    return true;
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

async function cleanUpRedis(): Promise<void> {
  if (!opened[1]) return;
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`b_bench-${process.pid}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
}
