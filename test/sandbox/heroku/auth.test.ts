import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SimulatedHeroku } from '../../../src/sandbox/heroku/index.js';
import { call, simulatedHeroku } from './helpers.js';

describe('simulated Heroku: auth and headers', () => {
  let sim: SimulatedHeroku;
  beforeAll(async () => {
    sim = await simulatedHeroku({ token: 'secret-token' });
  });
  afterAll(() => sim.close());

  it('refuses a missing or wrong token on every Heroku API with 401 unauthorized', async () => {
    for (const path of ['/apps/acme-prod', '/client/v11/databases/x', '/connections?app=acme-prod']) {
      const missing = await call(sim, 'GET', path, { auth: false });
      expect(missing.status).toBe(401);
      expect(missing.body.message).toBe('Invalid credentials provided.');
      const wrong = await call(sim, 'GET', path, { headers: { Authorization: 'Bearer nope' } });
      expect(wrong.status).toBe(401);
    }
    const platform = await call(sim, 'GET', '/apps', { auth: false });
    expect(platform.body).toEqual({ id: 'unauthorized', message: 'Invalid credentials provided.' });
  });

  it('answers Heroku Connect errors as {message} without an id', async () => {
    const { status, body } = await call(sim, 'GET', '/api/v3/connections/unknown');
    expect(status).toBe(404);
    expect(body.id).toBeUndefined();
    expect(body.message).toMatch(/not found/i);
  });

  it('requires the version 3 Accept header on the Platform API only', async () => {
    const refused = await call(sim, 'GET', '/apps/acme-prod', { headers: { Accept: 'application/json' } });
    expect(refused.status).toBe(406);
    expect(refused.body.id).toBe('not_acceptable');
    const sdk = await call(sim, 'GET', '/apps', { headers: { Accept: 'application/vnd.heroku+json; version=3.sdk' } });
    expect(sdk.status).toBe(200);
    const connect = await call(sim, 'GET', '/connections?app=acme-prod', { headers: { Accept: 'application/json' } });
    expect(connect.status).toBe(200);
  });

  it('sends Request-Id and RateLimit-Remaining, and serves the status feeds without auth', async () => {
    const { headers } = await call(sim, 'GET', '/apps/acme-prod');
    expect(headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(headers.get('ratelimit-remaining'))).toBeGreaterThan(4000);
    const status = await call(sim, 'GET', '/api/v4/current-status', { auth: false });
    expect(status.status).toBe(200);
    expect(status.headers.get('ratelimit-remaining')).toBeNull();
    const trust = await call(sim, 'GET', '/v1/maintenances', { auth: false });
    expect(trust.status).toBe(200);
  });

  it('answers an unknown endpoint with 404 not_found', async () => {
    const { status, body } = await call(sim, 'GET', '/no/such/thing');
    expect(status).toBe(404);
    expect(body.id).toBe('not_found');
  });
});
