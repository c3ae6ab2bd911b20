import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SimulatedHeroku } from '../../../src/sandbox/heroku/index.js';
import { call, HOUR, infoRow, MINUTE, simulatedHeroku } from './helpers.js';

describe('simulated Heroku: followers', () => {
  let sim: SimulatedHeroku;
  let follower: string;
  beforeAll(async () => {
    sim = await simulatedHeroku();
    const created = await call(sim, 'POST', '/apps/acme-prod/addons', {
      body: { plan: { name: 'heroku-postgresql:standard-0' }, config: { follow: 'DATABASE_URL' } },
    });
    follower = created.body.id;
  });
  afterAll(() => sim.close());

  const database = async () => (await call(sim, 'GET', `/client/v11/databases/${follower}`)).body;
  const behindBy = async () => Number(/^(\d+) commits?$/.exec(infoRow(await database(), 'Behind By') ?? '')?.[1]);

  it('takes longer to provision than a plain database and then follows its leader', async () => {
    sim.world.advance(5 * MINUTE);
    expect((await call(sim, 'GET', `/client/v11/databases/${follower}`)).status).toBe(404);
    sim.world.advance(10 * MINUTE);
    const db = await database();
    expect(db.following).toBe((await call(sim, 'GET', '/apps/acme-prod/config-vars')).body.DATABASE_URL);
    expect(infoRow(db, 'Following')).toBe(db.following);
    expect(infoRow(db, 'Fork/Follow')).toBe('Unavailable on followers');
    expect(infoRow(db, 'PG Version')).toMatch(/^15\./);
  });

  it('starts far behind, catches up over simulated hours, then hovers above 0 while the app takes writes', async () => {
    const start = await behindBy();
    expect(start).toBeGreaterThan(100_000);
    sim.world.advance(2 * HOUR);
    const later = await behindBy();
    expect(later).toBeLessThan(start);
    expect(later).toBeGreaterThan(200);
    sim.world.advance(6 * HOUR);
    const caughtUp = await behindBy();
    expect(caughtUp).toBeGreaterThan(0);
    expect(caughtUp).toBeLessThanOrEqual(200);
    sim.world.advance(30 * MINUTE);
    expect(await behindBy()).toBeGreaterThan(0);
  });

  it('keeps lagging with maintenance mode alone, since worker dynos still write', async () => {
    await call(sim, 'PATCH', '/apps/acme-prod', { body: { maintenance: true } });
    sim.world.advance(30 * MINUTE);
    expect(await behindBy()).toBeGreaterThan(0);
  });

  it('drains to 0 commits once maintenance mode is on and workers are at 0', async () => {
    await call(sim, 'PATCH', '/apps/acme-prod/formation', { body: { updates: [{ type: 'worker', quantity: 0 }] } });
    sim.world.advance(MINUTE);
    expect(infoRow(await database(), 'Behind By')).toBe('0 commits');
    const leader = (await call(sim, 'GET', `/client/v11/databases/${(await database()).leader.addon_id}`)).body;
    expect((await database()).current_transaction).toBe(leader.current_transaction);
  });

  it('lags again when writes resume', async () => {
    await call(sim, 'PATCH', '/apps/acme-prod/formation/worker', { body: { quantity: 3 } });
    sim.world.advance(10 * MINUTE);
    expect(await behindBy()).toBeGreaterThan(0);
  });

  it('unfollows after a short delay and becomes a fork', async () => {
    expect((await call(sim, 'PUT', `/client/v11/databases/${follower}/unfollow`)).status).toBe(200);
    expect((await database()).following).toBe((await call(sim, 'GET', '/apps/acme-prod/config-vars')).body.DATABASE_URL);
    sim.world.advance(MINUTE);
    const db = await database();
    expect(db.following).toBeNull();
    expect(infoRow(db, 'Behind By')).toBeUndefined();
    expect(infoRow(db, 'Forked From')).toBeDefined();
    expect(infoRow(db, 'Fork/Follow')).toBe('Temporarily Unavailable');
    const again = await call(sim, 'PUT', `/client/v11/databases/${follower}/unfollow`);
    expect(again.status).toBe(422);
    expect(again.body.message).toMatch(/is not a follower/);
  });

  it('refuses to chain followers', async () => {
    const chained = await call(sim, 'POST', '/apps/acme-prod/addons', {
      body: { plan: 'heroku-postgresql:standard-0', config: { follow: 'DATABASE_URL' } },
    });
    sim.world.advance(15 * MINUTE);
    const attachment = (await call(sim, 'GET', `/addons/${chained.body.id}/addon-attachments`)).body[0].name;
    const refused = await call(sim, 'POST', '/apps/acme-prod/addons', {
      body: { plan: 'heroku-postgresql:standard-0', config: { follow: `${attachment}_URL` } },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.message).toBe('Followers cannot be chained.');
  });
});
