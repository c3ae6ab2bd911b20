import { afterEach, describe, expect, it } from '@jest/globals';
import { createMetrics, type Metrics } from '../../src/metrics/index.js';
import { createHerokuClients, type HerokuClients } from '../../src/ops/heroku/clients.js';
import { createLimits, type Limits } from '../../src/ops/limits.js';
import { cannedHeroku } from '../ops/heroku/fixtures.js';
import { capturedLogger, startLoopback, type Handler, type Loopback } from '../ops/heroku/loopback.js';
import { parseExposition, type Scrape } from '../support/prometheus.js';

/**
 * What the Heroku clients report to /metrics, against a real loopback server: each answer by API,
 * method and status; a 429 that the limiter sends again (`rate_limited`); a 503 that got retries
 * (an idempotent GET, `server_error`); a dropped connection (`network_error`, with no status).
 */

const token = 'HRKU-abcdefghij0123456789abcdefghij';

let opened: Array<{ server: Loopback; limits: Limits }> = [];
afterEach(async () => {
  await Promise.all(opened.map(({ server, limits }) => Promise.all([server.close(), limits.disconnect()])));
  opened = [];
});

async function setup(handler: Handler): Promise<{ clients: HerokuClients; metrics: Metrics; scrape: () => Promise<Scrape> }> {
  const server = await startLoopback(handler);
  const limits = createLimits({ timeScale: 1000 });
  opened.push({ server, limits });
  const metrics = createMetrics();
  const clients = createHerokuClients({
    apiKey: token,
    apiUrl: server.url,
    dataApiUrl: server.url,
    connectDiscoveryUrl: server.url,
    limits,
    logger: capturedLogger().logger,
    timeScale: 1000,
    metrics: metrics.heroku,
  });
  return { clients, metrics, scrape: async () => parseExposition(await metrics.scrape()) };
}

describe('Heroku requests in /metrics', () => {
  it('counts answers by API, method and status, and a 429 sent again by the limiter as a rate_limited retry', async () => {
    let refused = 0;
    const { clients, scrape } = await setup((request) => {
      if (request.path === '/apps/acme-prod' && refused < 2) {
        refused += 1;
        return { status: 429, body: { id: 'rate_limit', message: 'Your account reached the API rate limit' } };
      }
      return cannedHeroku(request);
    });
    await clients.platform.app('acme-prod');
    await clients.data.waitStatus('db1');
    const s = await scrape();
    expect(s.value('connect_ops_heroku_requests_total', { api: 'platform', method: 'GET', status: '429' })).toBe(2);
    expect(s.value('connect_ops_heroku_requests_total', { api: 'platform', method: 'GET', status: '200' })).toBe(1);
    expect(s.value('connect_ops_heroku_requests_total', { api: 'data', method: 'GET', status: '200' })).toBe(1);
    expect(s.value('connect_ops_heroku_retries_total', { api: 'platform', reason: 'rate_limited' })).toBe(2);
    expect(s.value('connect_ops_heroku_retries_total', { reason: 'server_error' })).toBeUndefined();
  });

  it('counts a 503 that an idempotent GET retried, and a dropped connection as network_error', async () => {
    let failures = 0;
    const { clients, scrape } = await setup((request) => {
      if (request.path === '/apps/acme-prod' && failures < 1) {
        failures += 1;
        return { status: 503, body: { id: 'unavailable', message: 'try again' } };
      }
      if (request.method === 'PATCH') return { destroy: true };
      return cannedHeroku(request);
    });
    await clients.platform.app('acme-prod');
    // A mutation is never retried blindly: its dropped connection is counted once, and fails.
    await expect(clients.platform.setMaintenance('acme-prod', true)).rejects.toThrow();
    const s = await scrape();
    expect(s.value('connect_ops_heroku_requests_total', { api: 'platform', method: 'GET', status: '503' })).toBe(1);
    expect(s.value('connect_ops_heroku_requests_total', { api: 'platform', method: 'GET', status: '200' })).toBe(1);
    expect(s.value('connect_ops_heroku_retries_total', { api: 'platform', reason: 'server_error' })).toBe(1);
    expect(s.value('connect_ops_heroku_requests_total', { api: 'platform', method: 'PATCH', status: 'network_error' })).toBe(1);
    expect(s.value('connect_ops_heroku_retries_total', { reason: 'network_error' })).toBeUndefined();
  });
});
