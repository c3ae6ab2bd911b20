import { afterEach, describe, expect, it } from '@jest/globals';
import { createHerokuClients, type HerokuClients } from '../../../src/ops/heroku/clients.js';
import { isConfirmationRequired, isConflict, isNotFound, isRateLimited, isUnavailable } from '../../../src/ops/heroku/errors.js';
import { RequestIdChain } from '../../../src/ops/heroku/http.js';
import { createLimits, type Limits } from '../../../src/ops/limits.js';
import { herokuError } from './expect.js';
import { app, cannedHeroku, release } from './fixtures.js';
import { capturedLogger, startLoopback, type Handler, type Loopback } from './loopback.js';

const token = 'HRKU-abcdefghij0123456789abcdefghij';

interface Setup {
  server: Loopback;
  clients: HerokuClients;
  limits: Limits;
  output: () => string;
}

let opened: Setup[] = [];
afterEach(async () => {
  await Promise.all(opened.map(async ({ server, limits }) => Promise.all([server.close(), limits.disconnect()])));
  opened = [];
});

/** Clients whose three APIs all point at one loopback server. No `secrets` for the logger: the clients must not leak the token by themselves. */
async function setup(handler: Handler, limitsOptions: Parameters<typeof createLimits>[0] = {}): Promise<Setup> {
  const server = await startLoopback(handler);
  const limits = createLimits({ timeScale: 1000, ...limitsOptions });
  const { logger, output } = capturedLogger();
  const clients = createHerokuClients({ apiKey: token, apiUrl: server.url, dataApiUrl: server.url, connectDiscoveryUrl: server.url, limits, logger, timeScale: 1000 });
  const created = { server, clients, limits, output };
  opened.push(created);
  return created;
}

describe('requests', () => {
  it('sends the Platform API headers and chains Request-Ids', async () => {
    let n = 0;
    const { clients, server } = await setup((request) => ({ ...cannedHeroku(request), headers: { 'Request-Id': `server-${++n}` } }));
    await clients.platform.app('acme-prod');
    await clients.data.waitStatus('db1');
    const [first, second] = server.received;
    expect(first?.headers.accept).toBe('application/vnd.heroku+json; version=3');
    expect(first?.headers.authorization).toBe(`Bearer ${token}`);
    expect(second?.path).toBe('/client/v11/databases/db1/wait_status');
    // A new id for this call, then the ids earlier responses carried.
    const chain = String(second?.headers['request-id']).split(',');
    expect(chain).toHaveLength(3);
    expect(chain).toContain('server-1');
    expect(chain[0]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('caps the Request-Id chain', () => {
    const chain = new RequestIdChain(200);
    for (let i = 0; i < 50; i++) chain.track(`id-${i}-${'x'.repeat(20)}`);
    const header = chain.next();
    expect(header.length).toBeLessThanOrEqual(200);
    expect(header).toContain('id-49-');
    expect(header).not.toContain('id-0-');
  });

  it('sends Heroku Connect its own headers', async () => {
    const { clients, server } = await setup(() => ({ body: { results: [], count: 0 } }));
    await expect(clients.connect.discover('acme-prod')).resolves.toEqual([]);
    const [received] = server.received;
    expect(received?.path).toBe('/connections');
    expect(received?.query.get('app')).toBe('acme-prod');
    expect(received?.headers['heroku-client']).toBe('connect-ops');
    expect(received?.headers.authorization).toBe(`Bearer ${token}`);
  });

  it('follows Next-Range through every page of a list', async () => {
    const { clients, server } = await setup((request) => {
      const range = request.headers.range;
      if (!range) return { status: 206, headers: { 'Next-Range': ']v1..; max=1' }, body: [{ ...release, version: 1 }] };
      if (range === ']v1..; max=1') return { status: 206, headers: { 'Next-Range': ']v2..; max=1' }, body: [{ ...release, version: 2 }] };
      return { body: [{ ...release, version: 3 }] };
    });
    const releases = await clients.platform.releases('acme-prod');
    expect(releases.map((r) => r.version)).toEqual([1, 2, 3]);
    expect(server.received.map((r) => r.headers.range)).toEqual([undefined, ']v1..; max=1', ']v2..; max=1']);
  });

  it('asks for the newest releases with a Range and does not page further', async () => {
    const { clients, server } = await setup(() => ({ status: 206, headers: { 'Next-Range': ']v41..; max=1' }, body: [release] }));
    const [newest] = await clients.platform.releases('acme-prod', { newest: 1 });
    expect(newest?.version).toBe(42);
    expect(server.received).toHaveLength(1);
    expect(server.received[0]?.headers.range).toBe('version ..; order=desc, max=1');
  });
});

describe('errors', () => {
  it("keeps Heroku's id, message, status and Request-Id", async () => {
    const { clients } = await setup(() => ({
      status: 404,
      headers: { 'Request-Id': 'req-404' },
      body: { id: 'not_found', message: "Couldn't find that add on.", resource: 'add_on' },
    }));
    const error = await herokuError(clients.platform.addOn('acme-prod', 'postgresql-x'));
    expect(error).toMatchObject({ api: 'platform', id: 'not_found', status: 404, requestId: 'req-404', method: 'GET', path: '/apps/acme-prod/addons/postgresql-x', reason: 'not_found' });
    expect(error.message).toBe("Couldn't find that add on.");
    expect(isNotFound(error)).toBe(true);
  });

  it('recognises confirmation_required by id, whatever the status', async () => {
    for (const status of [400, 423]) {
      const { clients } = await setup(() => ({ status, body: { id: 'confirmation_required', message: 'Confirm with confirm: acme-prod.' } }));
      const error = await herokuError(clients.platform.createAttachment({ addon: 'postgresql-x', app: 'acme-prod', name: 'DATABASE' }));
      expect(isConfirmationRequired(error)).toBe(true);
      expect(error.status).toBe(status);
    }
  });

  it("reads Heroku Connect's 409 message (or its newer `error` field)", async () => {
    const { clients } = await setup((request) =>
      request.path.endsWith('/pause')
        ? { status: 409, body: { message: 'Connection must be IDLE to pause' } }
        : { status: 409, body: { error: 'Mapping Contact is still syncing.', syncing_mappings: ['Contact'] } },
    );
    const ref = { id: 'c1', region_url: `${opened[0]?.server.url}/` };
    const pause = await herokuError(clients.connect.pause(ref));
    expect(isConflict(pause)).toBe(true);
    expect(pause).toMatchObject({ api: 'connect', id: 'conflict', status: 409, message: 'Connection must be IDLE to pause', path: '/api/v3/connections/c1/actions/pause' });
    expect((await herokuError(clients.connect.resume(ref))).message).toBe('Mapping Contact is still syncing.');
  });

  it('keeps what it can read of an odd error body, and falls back on the status', async () => {
    const { clients } = await setup((request) =>
      request.path.endsWith('/odd') ? { status: 404, body: { id: 42, message: 'No such add-on.' } } : { status: 502, body: 'Bad Gateway' },
    );
    const odd = await herokuError(clients.platform.addOn('acme-prod', 'odd'));
    expect(odd).toMatchObject({ id: 'not_found', message: 'No such add-on.', reason: 'not_found' });
    const text = await herokuError(clients.connect.pause({ id: 'c1', region_url: `${opened[0]?.server.url}/` }));
    expect(text).toMatchObject({ id: 'service_unavailable', status: 502, reason: 'unavailable' });
    expect(text.message).toMatch(/^Heroku Connect API answered POST \/api\/v3\/connections\/c1\/actions\/pause with 502/);
  });

  it('turns a malformed answer into a typed error with a clear message', async () => {
    const { clients } = await setup(() => ({ body: { id: 'x', name: 'acme-prod' } }));
    const error = await herokuError(clients.platform.app('acme-prod'));
    expect(error.reason).toBe('malformed_response');
    expect(error.message).toMatch(/Heroku Platform API answered GET \/apps\/acme-prod with an unexpected body \(maintenance: /);
  });
});

describe('retries', () => {
  it('retries a GET on 5xx and network errors', async () => {
    let n = 0;
    const { clients, server } = await setup(() => {
      n++;
      if (n === 1) return { status: 503, body: { id: 'service_unavailable', message: 'try later' } };
      if (n === 2) return { destroy: true };
      return { body: app };
    });
    await expect(clients.platform.app('acme-prod')).resolves.toMatchObject({ name: 'acme-prod' });
    expect(server.received).toHaveLength(3);
  });

  it('gives up on a GET after its retries, as unavailable', async () => {
    const { clients, server } = await setup(() => ({ destroy: true }));
    const error = await herokuError(clients.platform.app('acme-prod'));
    expect(isUnavailable(error)).toBe(true);
    expect(error.message).toMatch(/Heroku Platform API is unreachable \(GET \/apps\/acme-prod\)/);
    expect(server.received).toHaveLength(3);
  });

  it('never retries a mutation that failed with a 5xx', async () => {
    const { clients, server } = await setup(() => ({ status: 503, body: { id: 'service_unavailable', message: 'try later' } }));
    const error = await herokuError(clients.platform.setMaintenance('acme-prod', true));
    expect(error.status).toBe(503);
    expect(server.received).toHaveLength(1);
  });

  it('waits and retries a 429, mutations included (Heroku did not run them)', async () => {
    let n = 0;
    const { clients, server } = await setup((request) => (++n <= 2 ? { status: 429, headers: { 'RateLimit-Remaining': '0' }, body: { id: 'rate_limit', message: 'Your account reached the API rate limit' } } : cannedHeroku(request)), {
      timeScale: 1000,
      refillPerMinute: 60_000,
    });
    await expect(clients.platform.setMaintenance('acme-prod', true)).resolves.toMatchObject({ maintenance: true });
    expect(server.received).toHaveLength(3);
  });

  it('lets a 429 reach the caller only after the bounded retries', async () => {
    const { clients, server } = await setup(() => ({ status: 429, body: { id: 'rate_limit', message: 'Your account reached the API rate limit' } }), { timeScale: 1000, maxRateLimitRetries: 1 });
    const error = await herokuError(clients.platform.app('acme-prod'));
    expect(isRateLimited(error)).toBe(true);
    expect(server.received).toHaveLength(2);
  });
});

describe('rate limit bookkeeping and logs', () => {
  it('lowers the shared bucket from RateLimit-Remaining on Platform and data API answers', async () => {
    const { clients, limits } = await setup((request) => ({ ...cannedHeroku(request), headers: { 'RateLimit-Remaining': request.path.startsWith('/client') ? '1200' : '2400' } }));
    await clients.platform.app('acme-prod');
    expect(await limits.herokuRemaining()).toBe(2400);
    await clients.data.database('db1');
    expect(await limits.herokuRemaining()).toBe(1200);
  });

  it('spends no token on GET /account/rate-limits', async () => {
    const { clients, limits } = await setup(cannedHeroku, { capacity: 10, refillPerMinute: 1 });
    await expect(clients.platform.rateLimits()).resolves.toEqual({ remaining: 4321 });
    expect(await limits.herokuRemaining()).toBe(10);
  });

  it('keeps the token out of the logs, failures included', async () => {
    const { clients, output } = await setup((request) => (request.path.includes('missing') ? { status: 404, body: { id: 'not_found', message: 'nope' } } : cannedHeroku(request)));
    await clients.platform.app('acme-prod');
    await herokuError(clients.platform.app('missing'));
    const logs = output();
    expect(logs).toContain('/apps/missing');
    expect(logs).not.toContain(token);
  });
});
