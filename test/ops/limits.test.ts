import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/log.js';
import { createLimits, ReadRefused, wholeMs, type Limits } from '../../src/ops/limits.js';
import { withPriority } from '../../src/ops/request-priority.js';
import { backendAvailable, redisUrl } from '../support/backends.js';

/** A promise the test resolves when it chooses. */
function openGate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

const rateLimited = () => Object.assign(new Error('Your account reached the API rate limit'), { status: 429 });

describe('createLimits (in process)', () => {
  const opened: Limits[] = [];
  const limits = (options: Parameters<typeof createLimits>[0]) => {
    const created = createLimits(options);
    opened.push(created);
    return created;
  };
  afterAll(async () => {
    await Promise.all(opened.map((l) => l.disconnect()));
  });

  it('runs interactive calls before queued background polling', async () => {
    const { heroku } = limits({});
    // Ten calls hold every slot; the next four queue behind them.
    const gate = openGate();
    const holders = Array.from({ length: 10 }, () => heroku.schedule({}, () => gate.promise));
    const order: string[] = [];
    const call = (name: string, priority: 'interactive' | 'background') => heroku.schedule({ priority }, async () => void order.push(name));
    const queued = [call('poll-1', 'background'), call('poll-2', 'background'), call('poll-3', 'background'), call('slack', 'interactive')];
    while (heroku.queued() < 4) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(order).toEqual([]);
    gate.open();
    await Promise.all([...holders, ...queued]);
    expect(order).toEqual(['slack', 'poll-1', 'poll-2', 'poll-3']);
  });

  it('runs calls made inside a cutover (the work’s ambient priority) before interactive and background ones', async () => {
    const { heroku } = limits({});
    const gate = openGate();
    const holders = Array.from({ length: 10 }, () => heroku.schedule({}, () => gate.promise));
    const order: string[] = [];
    const queued = [
      heroku.schedule({}, async () => void order.push('poll')),
      heroku.schedule({ priority: 'interactive' }, async () => void order.push('slack')),
      withPriority('cutover', () => heroku.schedule({}, async () => void order.push('cutover'))),
      // A priority the call gives itself wins over the work's.
      withPriority('cutover', () => heroku.schedule({ priority: 'background' }, async () => void order.push('explicit'))),
    ];
    while (heroku.queued() < 4) await new Promise((resolve) => setTimeout(resolve, 5));
    gate.open();
    await Promise.all([...holders, ...queued]);
    expect(order).toEqual(['cutover', 'slack', 'poll', 'explicit']);
  });

  it('waits and retries a 429, with backoff scaled by timeScale', async () => {
    const { heroku } = limits({ timeScale: 1000 });
    const attempts: number[] = [];
    const result = await heroku.schedule({}, async () => {
      attempts.push(Date.now());
      if (attempts.length < 3) throw rateLimited();
      return 'done';
    });
    expect(result).toBe('done');
    expect(attempts).toHaveLength(3);
    // Heroku's Go client: 30 s then 60 s, ±25 %; at timeScale 1000 that is 22.5-37.5 ms then 45-75 ms.
    expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(20);
    expect(attempts[2]! - attempts[1]!).toBeGreaterThanOrEqual(43);
  });

  it('gives up after the bounded number of 429 retries', async () => {
    const { heroku } = limits({ timeScale: 1000, maxRateLimitRetries: 2 });
    let attempts = 0;
    await expect(
      heroku.schedule({}, async () => {
        attempts++;
        throw rateLimited();
      }),
    ).rejects.toMatchObject({ status: 429 });
    expect(attempts).toBe(3);
  });

  it('never retries other failures', async () => {
    const { connect } = limits({ timeScale: 1000 });
    let attempts = 0;
    await expect(
      connect.schedule({}, async () => {
        attempts++;
        throw Object.assign(new Error('conflict'), { status: 409 });
      }),
    ).rejects.toThrow('conflict');
    expect(attempts).toBe(1);
  });

  it('lowers the bucket to what Heroku reports, never raises it, and counts requests still in flight', async () => {
    const l = limits({ capacity: 100, refillPerMinute: 1 });
    await l.observeRemaining(40);
    expect(await l.herokuRemaining()).toBe(40);
    await l.observeRemaining(90);
    expect(await l.herokuRemaining()).toBe(40);

    // Three requests in flight; the one reporting says 20 left: the other two will spend 2 of them.
    const gate = openGate();
    let started = 0;
    const inFlight = [1, 2, 3].map(() => l.heroku.schedule({}, () => (started++, gate.promise)));
    while (started < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await l.herokuRemaining()).toBe(37);
    await l.observeRemaining(20);
    expect(await l.herokuRemaining()).toBe(18);
    gate.open();
    await Promise.all(inFlight);
  });

  it('refills the bucket over time, up to its capacity', async () => {
    const l = limits({ capacity: 10, refillPerMinute: 6000, timeScale: 1000 }); // 100 tokens per second, whatever the time scale
    await l.observeRemaining(0);
    const emptied = Date.now();
    while ((await l.herokuRemaining()) < 10 && Date.now() - emptied < 2000) await new Promise((resolve) => setTimeout(resolve, 10));
    // Ten tokens at 100 a second take about 100 ms: not at once, and not much later.
    expect(Date.now() - emptied).toBeGreaterThanOrEqual(80);
    expect(Date.now() - emptied).toBeLessThan(1000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await l.herokuRemaining()).toBe(10);
  });

  it('gives reads their own share of the budget and never the reserve a run needs, refusing the rest at once (issue 14, failure 1)', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', destination: new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }) });
    const l = limits({ capacity: 100, refillPerMinute: 1, readShare: 0.1, readReserve: 0.5, logger });
    const herokuCalls: string[] = [];
    const read = (i: number) => l.heroku.schedule({ priority: 'read' }, async () => void herokuCalls.push(`read-${i}`));
    // A storm of reads: ten go through (the share), the others are refused without calling Heroku.
    const storm = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => read(i)));
    expect(storm.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    const refused = storm.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as ReadRefused);
    expect(refused.every((e) => e instanceof ReadRefused && e.reason === 'read_share_spent')).toBe(true);
    expect(herokuCalls).toHaveLength(10);
    // A run's step still has its budget.
    await expect(l.heroku.schedule({}, async () => 'step sent')).resolves.toBe('step sent');

    // Down to the reserve: reads are refused even with share left, runs go on until the bucket is empty.
    await l.observeRemaining(50);
    await expect(read(99)).rejects.toMatchObject({ name: 'ReadRefused', reason: 'budget_low', message: expect.stringContaining('down to 50 of 100 calls, kept for the steps of runs') });
    await expect(l.heroku.schedule({ priority: 'background' }, async () => 'poll')).resolves.toBe('poll');
    const stats = await l.stats();
    expect(stats).toMatchObject({ herokuRemaining: 49, budgetLow: true, readsShed: { read_share_spent: 30, budget_low: 1, too_many_reads: 0 } });
    // Said at warn, once for the burst rather than once per refusal.
    const warned = lines.filter((line) => line.includes('the Heroku API budget is kept for runs'));
    expect(warned.length).toBeGreaterThanOrEqual(1);
    expect(warned.length).toBeLessThan(5);
  });

  it('spends a storm of plan discoveries (made at the ambient read priority, as /connect plan does) from the reads’ share only', async () => {
    const l = limits({ capacity: 100, refillPerMinute: 1, readShare: 0.1, readReserve: 0.5 });
    let herokuCalls = 0;
    // A plan preview's discovery: several calls, none naming a priority (http.ts), inside the plan's read work.
    const discovery = () =>
      withPriority('read', async () => {
        for (let i = 0; i < 6; i++) await l.heroku.schedule({}, async () => void (herokuCalls += 1));
        await Promise.all([1, 2, 3].map(() => l.heroku.schedule({}, async () => void (herokuCalls += 1))));
      });
    const storm = await Promise.allSettled(Array.from({ length: 30 }, () => discovery()));
    expect(herokuCalls).toBe(10);
    expect(storm.filter((r) => r.status === 'fulfilled').length).toBeLessThanOrEqual(1);
    expect(storm.every((r) => r.status === 'fulfilled' || (r.reason as ReadRefused).name === 'ReadRefused')).toBe(true);
    // The budget a run needs is all there: 100 tokens less the reads' 10.
    await expect(l.heroku.schedule({}, async () => 'step sent')).resolves.toBe('step sent');
    expect(await l.herokuRemaining()).toBe(89);
  });

  it('queues reads behind every run step and refuses reads past their queue bound', async () => {
    const l = limits({ capacity: 1000, refillPerMinute: 1, readConcurrency: 1, readQueue: 2 });
    const gate = openGate();
    const holders = Array.from({ length: 10 }, () => l.heroku.schedule({}, () => gate.promise));
    const order: string[] = [];
    const reads = [1, 2, 3].map((i) => l.heroku.schedule({ priority: 'read' }, async () => void order.push(`read-${i}`)));
    const fourth = l.heroku.schedule({ priority: 'read' }, async () => void order.push('read-4'));
    await expect(fourth).rejects.toMatchObject({ reason: 'too_many_reads' });
    const steps = [1, 2].map((i) => l.heroku.schedule({}, async () => void order.push(`step-${i}`)));
    while (l.heroku.queued() < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    gate.open();
    await Promise.all([...holders, ...reads, ...steps]);
    expect(order.indexOf('step-1')).toBeLessThan(order.indexOf('read-2'));
    expect(order.indexOf('step-2')).toBeLessThan(order.indexOf('read-2'));
  });

  it('gives limiters whole milliseconds, never less than one', () => {
    expect([wholeMs(100 / 600), wholeMs(1000 / 600), wholeMs(25.714), wholeMs(20)]).toEqual([1, 2, 26, 20]);
  });

  it('spends at most Slack’s Tier 3 budget (50 chat.update a minute) however many runs edit', async () => {
    const { slackUpdates } = limits({});
    let sent = 0;
    const started = Date.now();
    const edits = Array.from({ length: 60 }, () => slackUpdates.schedule({}, async () => void sent++));
    // The bucket starts full at 50 and refills one edit every 1.2 s; the rest wait. Waits for the
    // first 50 rather than a fixed time, so a loaded machine cannot fail it, and bounds what was
    // sent by the refills the elapsed time allows.
    for (const deadline = Date.now() + 10_000; sent < 50 && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sent).toBeGreaterThanOrEqual(50);
    expect(sent).toBeLessThanOrEqual(50 + Math.floor((Date.now() - started) / 1200));
    expect(sent).toBeLessThan(60);
    void Promise.all(edits);
  });

  it('lets free calls (GET /account/rate-limits) through an empty bucket', async () => {
    const l = limits({ capacity: 5, refillPerMinute: 1 });
    await l.observeRemaining(0);
    await expect(l.heroku.schedule({ free: true }, async () => 'remaining')).resolves.toBe('remaining');
    expect(await l.herokuRemaining()).toBe(0);
  });
});

describe('createLimits with REDIS_URL (several replicas)', () => {
  let available = false;
  const id = `test-limits-${randomBytes(4).toString('hex')}`;
  const replica = fileURLToPath(new URL('./limits.replica.ts', import.meta.url));

  beforeAll(async () => {
    available = await backendAvailable('Redis', async () => {
      const probe = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      try {
        await probe.connect();
        await probe.ping();
      } finally {
        probe.disconnect();
      }
    });
  });

  afterAll(async () => {
    if (!available) return;
    const redis = new Redis(redisUrl);
    const keys = await redis.keys(`b_${id}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('runs every limiter through Redis at a time scale: scaled spacings are whole milliseconds', async () => {
    if (!available) return;
    // 100 ms / 600 is 0.167 ms: Bottleneck's Redis mode ran none of six Connect calls with it.
    const scaled = createLimits({ redisUrl, id: `${id}-scaled`, timeScale: 600, refillPerMinute: 7000 });
    try {
      const all = ['heroku', 'connect', 'statusFeeds', 'slackUpdates'] as const;
      const calls = all.flatMap((name) => Array.from({ length: 6 }, (_, i) => scaled[name].schedule({}, async () => `${name}-${i}`)));
      const within = new Promise<'stalled'>((resolve) => setTimeout(() => resolve('stalled'), 10_000).unref());
      const done = await Promise.race([Promise.all(calls), within]);
      expect(done).toHaveLength(24);
    } finally {
      await scaled.disconnect();
    }
  });

  it('takes the reads’ share atomically across replicas: two replicas’ reads at once spend exactly the share', async () => {
    if (!available) return;
    const options = { redisUrl, id: `${id}-reads`, capacity: 100, refillPerMinute: 1, readShare: 0.1, readReserve: 0.5 };
    const replicas = [createLimits(options), createLimits(options)];
    try {
      let herokuCalls = 0;
      const storm = await Promise.allSettled(replicas.flatMap((l) => Array.from({ length: 20 }, () => l.heroku.schedule({ priority: 'read' }, async () => void (herokuCalls += 1)))));
      expect(storm.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
      expect(herokuCalls).toBe(10);
      expect(storm.every((r) => r.status === 'fulfilled' || (r.reason as ReadRefused).reason === 'read_share_spent')).toBe(true);
      // No token was lost to a refused read: the share is spent, not below zero.
      expect((await replicas[0]!.stats()).readsRemaining).toBe(0);
      expect(await replicas[1]!.herokuRemaining()).toBe(90);
    } finally {
      await Promise.all(replicas.map((l) => l.disconnect()));
    }
  });

  it('shares one budget between two processes', async () => {
    if (!available) return;
    const options = { redisUrl, id, capacity: 30, refillPerMinute: 1 };
    const here = createLimits(options);
    try {
      const spent = await Promise.all(Array.from({ length: 20 }, () => here.heroku.schedule({}, async () => 1)));
      expect(spent).toHaveLength(20);

      // Another process with the same Redis and id asks for 20 calls: only 10 tokens are left.
      const ran = await runReplica(replica, { ...options, calls: 20, quietMs: 400, deadlineMs: 5000 });
      expect(ran).toBe(10);
      expect(await here.herokuRemaining()).toBe(0);

      // And what the other process spent is gone here too.
      let extra = 0;
      void here.heroku.schedule({}, async () => extra++);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(extra).toBe(0);
    } finally {
      await here.disconnect();
    }
  });
});

/** Runs test/ops/limits.replica.ts in a child process and returns how many calls it got through. */
function runReplica(script: string, options: { redisUrl: string; id: string; capacity: number; refillPerMinute: number; calls: number; quietMs: number; deadlineMs: number }): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve((JSON.parse(out) as { ran: number }).ran) : reject(new Error(`replica exited with ${code}: ${out}`))));
  });
}
