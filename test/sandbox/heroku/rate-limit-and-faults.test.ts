import { afterEach, describe, expect, it } from '@jest/globals';
import type { SimulatedHeroku } from '../../../src/sandbox/heroku/index.js';
import { call, simulatedHeroku } from './helpers.js';

describe('simulated Heroku: rate limit, faults and the request log', () => {
  let sim: SimulatedHeroku;
  afterEach(() => sim.close());

  it('spends one token per Platform or data API call and answers 429 rate_limit when empty', async () => {
    sim = await simulatedHeroku({ rateLimit: { capacity: 3, refillPerMinute: 1 } });
    const remaining: number[] = [];
    for (let i = 0; i < 3; i++) remaining.push(Number((await call(sim, 'GET', '/apps/acme-prod')).headers.get('ratelimit-remaining')));
    expect(remaining).toEqual([2, 1, 0]);
    const limited = await call(sim, 'GET', '/client/v11/databases/anything');
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ id: 'rate_limit', message: expect.stringMatching(/^Your account reached the API rate limit/) });

    const free = await call(sim, 'GET', '/account/rate-limits');
    expect(free.status).toBe(200);
    expect(free.body).toEqual({ remaining: 0 });
    expect((await call(sim, 'GET', '/connections?app=acme-prod')).status).toBe(200);
  });

  it('refills the bucket in real time', async () => {
    sim = await simulatedHeroku({ rateLimit: { capacity: 1, refillPerMinute: 1200 } });
    expect((await call(sim, 'GET', '/apps')).headers.get('ratelimit-remaining')).toBe('0');
    await new Promise((resolve) => setTimeout(resolve, 100)); // 1,200 a minute: one every 50 ms
    expect((await call(sim, 'GET', '/apps')).status).toBe(200);
  });

  it('answers the next N requests with 429 during a burst', async () => {
    sim = await simulatedHeroku({ faults: { rateLimitBurst: 2 } });
    expect((await call(sim, 'GET', '/apps')).status).toBe(429);
    expect((await call(sim, 'GET', '/apps')).status).toBe(429);
    expect((await call(sim, 'GET', '/apps')).status).toBe(200);
  });

  it('fails a fraction of requests with 503 on the chosen hosts only', async () => {
    sim = await simulatedHeroku();
    sim.setFaults({ errorRate: 1, errorHosts: ['connect'] });
    const failed = await call(sim, 'GET', '/connections?app=acme-prod');
    expect(failed.status).toBe(503);
    expect(failed.body.id).toBeUndefined();
    expect((await call(sim, 'GET', '/apps')).status).toBe(200);

    sim.setFaults({ errorRate: 0.5, errorHosts: ['platform'] });
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await call(sim, 'GET', '/apps/acme-prod')).status);
    const failures = statuses.filter((s) => s === 503).length;
    expect(failures).toBeGreaterThan(5);
    expect(failures).toBeLessThan(35);
  });

  it('adds latency to every API response', async () => {
    sim = await simulatedHeroku({ faults: { latencyMs: 150 } });
    const started = Date.now();
    await call(sim, 'GET', '/api/v4/current-status');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('applies a hung mutation and logs it, but never answers it; the next one answers (hang)', async () => {
    sim = await simulatedHeroku();
    const admin = await fetch(`${sim.url}/__sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ hang: { method: 'patch', path: '^/apps/[^/]+$', count: 1 } }),
    });
    expect(admin.status).toBe(200);
    // A GET of the same path is not the hung request.
    expect((await call(sim, 'GET', '/apps/acme-prod')).status).toBe(200);
    const lost = await fetch(`${sim.url}/apps/acme-prod`, {
      method: 'PATCH',
      headers: { Accept: 'application/vnd.heroku+json; version=3', Authorization: `Bearer ${sim.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ maintenance: true }),
      signal: AbortSignal.timeout(500),
    }).then(
      () => 'answered',
      (error: Error) => error.name,
    );
    expect(lost).toBe('TimeoutError');
    // It took effect, and the log has it; the count is spent, so the next one answers.
    expect((await call(sim, 'GET', '/apps/acme-prod')).body.maintenance).toBe(true);
    expect(sim.requests().filter((e) => e.method === 'PATCH')).toHaveLength(1);
    expect((await call(sim, 'PATCH', '/apps/acme-prod', { body: { maintenance: false } })).status).toBe(200);
    const refused = await fetch(`${sim.url}/__sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hang: { method: 'GET', path: '(' } }) });
    expect(refused.status).toBe(422);
  });

  it('logs every API request with host kind, query, status and body, but never admin requests', async () => {
    sim = await simulatedHeroku();
    await call(sim, 'PATCH', '/apps/acme-prod', { body: { maintenance: true } });
    await call(sim, 'GET', '/connections?app=acme-prod&resource_name=x');
    await call(sim, 'GET', '/api/v4/current-status');
    await call(sim, 'GET', '/client/v11/databases/missing');
    await call(sim, 'GET', '/__sandbox/state');
    const log = sim.requests();
    expect(log.map((e) => `${e.host} ${e.method} ${e.path} ${e.status}`)).toEqual([
      'platform PATCH /apps/acme-prod 200',
      'connect GET /connections 200',
      'status GET /api/v4/current-status 200',
      'data GET /client/v11/databases/missing 404',
    ]);
    expect(log[0]?.body).toEqual({ maintenance: true });
    expect(log[1]?.query).toBe('app=acme-prod&resource_name=x');
    expect(Date.parse(log[0]?.at ?? '')).not.toBeNaN();
    sim.clearRequests();
    expect(sim.requests()).toEqual([]);
  });
});
