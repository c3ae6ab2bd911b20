import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SimulatedHeroku } from '../../../src/sandbox/heroku/index.js';
import { call, simulatedHeroku } from './helpers.js';

describe('simulated Heroku: admin endpoints under /__sandbox/', () => {
  let sim: SimulatedHeroku;
  beforeAll(async () => {
    sim = await simulatedHeroku();
  });
  afterAll(() => sim.close());

  const admin = (method: string, path: string, body?: unknown) => call(sim, method, `/__sandbox/${path}`, { auth: false, body });

  it('reads and clears the request log without appearing in it', async () => {
    await call(sim, 'GET', '/apps/acme-prod');
    const { status, body } = await admin('GET', 'requests');
    expect(status).toBe(200);
    expect(body.map((e: { path: string }) => e.path)).toEqual(['/apps/acme-prod']);
    expect((await admin('DELETE', 'requests')).status).toBe(204);
    expect((await admin('GET', 'requests')).body).toEqual([]);
  });

  it('sets faults, refusing invalid ones', async () => {
    const set = await admin('POST', 'faults', { stuckPolling: ['acme-prod'], latencyMs: 0 });
    expect(set.body.stuckPolling).toEqual(['acme-prod']);
    expect((await admin('GET', 'faults')).body.stuckPolling).toEqual(['acme-prod']);
    expect((await admin('POST', 'faults', { errorRate: 2 })).status).toBe(422);
    await admin('POST', 'faults', { stuckPolling: [] });
  });

  it('plays notices and removes them', async () => {
    const announced = await admin('POST', 'notices', {
      action: 'announce',
      window: { start: '2026-10-07T17:00:00Z', end: '2026-10-07T20:00:00Z' },
      title: 'Heroku Platform Maintenance',
    });
    expect(announced.status).toBe(200);
    expect(announced.body.title).toBe('Heroku Platform Maintenance');
    const started = await admin('POST', 'notices', { action: 'start', id: announced.body.id });
    expect(started.body.state).toBe('open');
    expect((await admin('POST', 'notices', { action: 'start', id: 999 })).status).toBe(404);
    expect((await call(sim, 'GET', '/api/v4/current-status')).body.status).toContainEqual({ system: 'Data', status: 'blue' });
    expect((await admin('DELETE', 'notices')).status).toBe(204);
    expect((await call(sim, 'GET', '/api/v4/current-status')).body.scheduled).toEqual([]);
  });

  it('completes a Salesforce authorization, and says when nothing waits for one', async () => {
    const refused = await admin('POST', 'salesforce-authorize/acme-prod');
    expect(refused.status).toBe(409);
    await admin('POST', 'connection-state/acme-prod', { state: 'UNAUTHORIZED' });
    const authorized = await admin('POST', 'salesforce-authorize/acme-prod');
    expect(authorized.body.connections[0].state).toBe('RECOVERY');
  });

  it('reports the state, advances the clock and resets to a seed', async () => {
    const before = (await admin('GET', 'state')).body;
    expect(before.apps.map((a: { name: string }) => a.name)).toEqual(['acme-prod', 'acme-staging', 'globex-prod', 'initech-api', 'hooli-prod', 'hooli-reports']);
    const acme = before.apps[0];
    expect(acme.formation).toEqual({ web: 2, worker: 3, release: 0 });
    expect(acme.databases[0]).toMatchObject({ version: 15, following: null });
    expect(acme.connections[0].mappings).toHaveLength(4);

    const moved = await admin('POST', 'clock', { advanceMs: 3_600_000 });
    expect(Date.parse(moved.body.now) - Date.parse(before.now)).toBeGreaterThanOrEqual(3_600_000);

    const empty = await admin('POST', 'reset', { seed: 'empty' });
    expect(empty.body.apps).toEqual([]);
    expect((await call(sim, 'GET', '/apps')).body).toEqual([]);
    const seeded = await admin('POST', 'reset', { seed: 'default' });
    expect(seeded.body.apps).toHaveLength(6);
    expect(seeded.body.apps[0].id).toBe(acme.id); // seeded ids are deterministic
  });
});
