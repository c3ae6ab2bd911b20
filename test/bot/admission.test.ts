import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { createAdmission, laneOf } from '../../src/bot/admission.js';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/log.js';
import { responseUrl } from '../../src/sandbox/slack/index.js';
import { backendAvailable, redisUrl } from '../support/backends.js';
import { CHANNEL, startBotHarness, USERS, type BotHarness } from './support/harness.js';

const silent = createLogger({ level: 'silent' });

describe('admission before the ack', () => {
  it('sends run commands and reads to their own lanes, by the first word alone', () => {
    expect(['status acme-prod', 'plan upgrade acme-prod', 'runs', 'maintenance', 'help', '', '  STATUS x'].map(laneOf)).toEqual(['read', 'read', 'read', 'read', 'read', 'read', 'read']);
    expect(['upgrade acme-prod', 'cancel r1', 'pause acme-prod', 'resume x'].map(laneOf)).toEqual(['run', 'run', 'run', 'run']);
  });

  it('refuses a person past their command rate politely, and others not at all', async () => {
    const admission = createAdmission({ logger: silent, commandsPerMinute: 3 });
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await admission.command('U1', 'status acme-prod'));
    expect(answers.map((a) => a.ok)).toEqual([true, true, true, false, false]);
    expect(answers[3]).toMatchObject({ ok: false, reason: 'rate_limited', message: expect.stringMatching(/^You have sent 3 commands in the last minute, .* Try again in \d+ s\.$/) });
    expect(await admission.command('U2', 'status acme-prod')).toEqual({ ok: true, lane: 'read' });
    expect(admission.stats().shed).toEqual({ too_long: 0, rate_limited: 2, lane_full: 0 });
  });

  it('bounds each lane: a full read lane refuses reads while runs still get in', async () => {
    const admission = createAdmission({ logger: silent, read: { concurrency: 1, maxWaiting: 1 }, run: { concurrency: 1, maxWaiting: 1 } });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const running = [admission.run('read', () => held), admission.run('read', () => held)];
    expect(await admission.command('U1', 'status acme-prod')).toMatchObject({ ok: false, reason: 'lane_full', message: expect.stringContaining('runs, approvals and cancels go first') });
    expect(await admission.command('U1', 'cancel r1')).toEqual({ ok: true, lane: 'run' });
    expect(await admission.click('U1', '{"r":"r1","s":null,"h":"x"}')).toEqual({ ok: true, lane: 'run' });
    expect(admission.stats().lanes).toEqual({ read: { running: 1, waiting: 1 }, run: { running: 0, waiting: 0 } });
    release();
    await Promise.all(running);
    expect(await admission.command('U1', 'status acme-prod')).toEqual({ ok: true, lane: 'read' });
  });

  it('refuses text longer than Slack sends and button values longer than Slack allows, saying so', async () => {
    const admission = createAdmission({ logger: silent });
    expect(await admission.command('U1', 'x'.repeat(4001))).toMatchObject({ ok: false, reason: 'too_long', message: 'That command is 4,001 characters long; `/connect` reads at most 4,000. Nothing was done.' });
    expect(await admission.command('U1', `status ${'x'.repeat(3990)}`)).toEqual({ ok: true, lane: 'read' });
    expect(await admission.click('U1', 'v'.repeat(2001))).toMatchObject({ ok: false, reason: 'too_long' });
  });
});

describe('the admission in the Bolt app', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness({ admission: { commandsPerMinute: 5, clicksPerMinute: 100 } });
  });
  afterAll(() => h.close());

  it('answers a person past their rate in the ack itself, at once', async () => {
    const deliveries = [];
    for (let i = 0; i < 7; i++) deliveries.push(await h.command(USERS.approver2, 'help'));
    expect(deliveries.map((d) => d.status)).toEqual([200, 200, 200, 200, 200, 200, 200]);
    expect(deliveries.slice(5).map((d) => (JSON.parse(d.body) as { text: string }).text)).toEqual([
      expect.stringMatching(/^You have sent 5 commands in the last minute/),
      expect.stringMatching(/^You have sent 5 commands in the last minute/),
    ]);
    expect(h.bot.stats().shed.rate_limited).toBe(2);
  });

  it('deduplicates a command without trigger_id by its response_url, and never confuses two such commands', async () => {
    const body = (text: string, url: string) =>
      new URLSearchParams({ team_id: 'T0SANDBOX', channel_id: CHANNEL, user_id: USERS.operator, command: '/connect', text, response_url: url }).toString();
    const first = responseUrl(h.slack.url, { channel: CHANNEL, user: USERS.operator });
    const second = responseUrl(h.slack.url, { channel: CHANNEL, user: USERS.operator });
    expect(first).not.toBe(second);
    const before = h.ephemerals(USERS.operator).length;
    await h.driver.deliver(body('help', first));
    await h.driver.deliver(body('help', first), { retryNum: 1 });
    await h.driver.deliver(body('help status', second));
    await h.workspace.waitFor(() => (h.ephemerals(USERS.operator).length >= before + 2 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const answered = h.ephemerals(USERS.operator).slice(before);
    expect(answered).toHaveLength(2);
    expect(answered.some((t) => t.includes('/connect status APP'))).toBe(true);
  });
});

describe('admission with REDIS_URL (several replicas)', () => {
  let available = false;
  const keyPrefix = `test-admission-${randomBytes(4).toString('hex')}`;
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
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('two replicas share one limit per person: 3 a minute is 3 across both, not 3 each', async () => {
    if (!available) return;
    const replicas = [createAdmission({ logger: silent, commandsPerMinute: 3, clicksPerMinute: 2, redisUrl, keyPrefix }), createAdmission({ logger: silent, commandsPerMinute: 3, clicksPerMinute: 2, redisUrl, keyPrefix })];
    try {
      expect(await Promise.all(replicas.map((a) => a.connected()))).toEqual([true, true]);
      const answers = [];
      // Alternating between the replicas, as a load balancer would.
      for (let i = 0; i < 6; i++) answers.push(await replicas[i % 2]!.command('U1', 'status acme-prod'));
      expect(answers.map((a) => a.ok)).toEqual([true, true, true, false, false, false]);
      expect(answers[3]).toMatchObject({ reason: 'rate_limited', message: expect.stringMatching(/^You have sent 3 commands in the last minute/) });
      // At once on both, too: Redis counts atomically.
      const clicks = await Promise.all(replicas.flatMap((a) => [1, 2, 3].map(() => a.click('U2', '{"r":"r1"}'))));
      expect(clicks.filter((a) => a.ok)).toHaveLength(2);
      // Someone else is not affected.
      expect(await replicas[1]!.command('U3', 'status acme-prod')).toEqual({ ok: true, lane: 'read' });
    } finally {
      await Promise.all(replicas.map((a) => a.close()));
    }
  });

  it('counts in memory while Redis does not answer, and says so at warn', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', destination: new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }) });
    // Nothing listens on port 1.
    const admission = createAdmission({ logger, commandsPerMinute: 2, redisUrl: 'redis://127.0.0.1:1', keyPrefix });
    try {
      expect(await admission.connected(100)).toBe(false);
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(await admission.command('U1', 'status acme-prod'));
      expect(answers.map((a) => a.ok)).toEqual([true, true, false]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(lines.some((line) => line.includes('Redis is not answering'))).toBe(true);
    } finally {
      await admission.close();
    }
  });
});
