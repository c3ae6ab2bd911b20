import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SimulatedHeroku } from '../../../src/sandbox/heroku/index.js';
import { addonId, call, MINUTE, simulatedHeroku } from './helpers.js';

describe('simulated Heroku: pg:copy transfers', () => {
  let sim: SimulatedHeroku;
  beforeAll(async () => {
    sim = await simulatedHeroku();
  });
  afterAll(() => sim.close());

  it('copies the source onto the target in a time proportional to its size', async () => {
    const source = await addonId(sim, 'acme-staging');
    const target = (await call(sim, 'POST', '/apps/acme-staging/addons', { body: { plan: 'heroku-postgresql:standard-0', config: { version: '16' } } })).body;
    sim.world.advance(5 * MINUTE);
    const sourceDb = (await call(sim, 'GET', `/client/v11/databases/${source}`)).body;
    const fromUrl = (await call(sim, 'GET', '/apps/acme-staging/config-vars')).body.DATABASE_URL;

    const started = await call(sim, 'POST', `/client/v11/databases/${target.id}/transfers`, {
      body: { from_name: 'DATABASE', from_url: fromUrl, to_name: 'TARGET', to_url: sim.world.addons.get(target.id)?.url },
    });
    expect(started.status).toBe(201);
    expect(started.body.finished_at).toBeNull();
    expect(started.body.source_bytes).toBe(sourceDb.num_bytes);

    // 1.3 GB at 60 GB/hour: about 78 simulated seconds
    sim.world.advance(40_000);
    const running = (await call(sim, 'GET', `/client/v11/apps/acme-staging/transfers/${started.body.uuid}`)).body;
    expect(running.processed_bytes).toBeGreaterThan(0);
    expect(running.processed_bytes).toBeLessThan(running.source_bytes);
    expect(running.finished_at).toBeNull();

    sim.world.advance(60_000);
    const done = (await call(sim, 'GET', `/client/v11/apps/acme-staging/transfers/${started.body.uuid}?verbose=true`)).body;
    expect(done.finished_at).not.toBeNull();
    expect(done.succeeded).toBe(true);
    expect(done.logs.at(-1).message).toBe('Copy completed');
    const copied = (await call(sim, 'GET', `/client/v11/databases/${target.id}`)).body;
    expect(copied.num_bytes).toBe(sourceDb.num_bytes);
    expect(copied.num_tables).toBe(sourceDb.num_tables);
  });

  it('refuses to copy a database onto itself', async () => {
    const source = await addonId(sim, 'acme-prod');
    const fromUrl = (await call(sim, 'GET', '/apps/acme-prod/config-vars')).body.DATABASE_URL;
    const refused = await call(sim, 'POST', `/client/v11/databases/${source}/transfers`, { body: { from_url: fromUrl } });
    expect(refused.status).toBe(422);
    expect(refused.body.message).toBe('Cannot copy database onto itself.');
  });

  it('cancels a running transfer, which then counts as failed', async () => {
    const target = (await call(sim, 'POST', '/apps/acme-prod/addons', { body: { plan: 'heroku-postgresql:standard-0', config: { version: '15' } } })).body;
    sim.world.advance(5 * MINUTE);
    const fromUrl = (await call(sim, 'GET', '/apps/acme-prod/config-vars')).body.DATABASE_URL;
    const started = (await call(sim, 'POST', `/client/v11/databases/${target.id}/transfers`, { body: { from_url: fromUrl } })).body;
    const canceled = await call(sim, 'POST', `/client/v11/apps/acme-prod/transfers/${started.uuid}/actions/cancel`);
    expect(canceled.body.canceled_at).not.toBeNull();
    expect(canceled.body.succeeded).toBe(false);
    sim.world.advance(2 * 60 * MINUTE);
    expect((await call(sim, 'GET', `/client/v11/databases/${target.id}`)).body.num_tables).toBe(0);
  });
});
