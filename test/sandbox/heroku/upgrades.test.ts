import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { SimulatedHeroku } from '../../../src/sandbox/heroku/index.js';
import { addonId, call, HOUR, infoRow, MINUTE, simulatedHeroku } from './helpers.js';

describe('simulated Heroku: pg:upgrade', () => {
  let sim: SimulatedHeroku;
  beforeAll(async () => {
    sim = await simulatedHeroku();
  });
  beforeEach(() => sim.reset());
  afterAll(() => sim.close());

  const upgrade = (id: string, action: string, body: unknown = {}) => call(sim, 'POST', `/client/v11/databases/${id}/upgrade/${action}`, { body });
  const waitStatus = async (id: string) => (await call(sim, 'GET', `/client/v11/databases/${id}/upgrade/wait_status`)).body;

  it('runs the Standard lifecycle: prepare -> preparing -> ready -> run -> steps -> done, version bumped', async () => {
    const id = await addonId(sim, 'acme-prod');
    const notYet = await upgrade(id, 'run');
    expect(notYet.status).toBe(400);
    expect(notYet.body.message).toBe(
      "You haven't scheduled a version upgrade on your database. Run `heroku pg:upgrade:prepare` to schedule an upgrade.",
    );

    const prepared = await upgrade(id, 'prepare', { version: '17' });
    expect(prepared.body.message).toBe('Your database is scheduled for upgrade during your next available maintenance window.');
    expect(await waitStatus(id)).toEqual({ 'waiting?': true, message: 'preparing upgrade service' });
    const twice = await upgrade(id, 'prepare', { version: '17' });
    expect(twice.status).toBe(422);
    expect(twice.body.message).toMatch(/^database has an upgrade already scheduled/);
    const early = await upgrade(id, 'run');
    expect(early.status).toBe(400);
    expect(early.body.message).toMatch(/^Your database is not ready for upgrade/);

    sim.world.advance(3 * HOUR);
    const ready = await waitStatus(id);
    expect(ready['waiting?']).toBe(false);
    expect(ready.message).toMatch(/^upgrade is scheduled on \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);

    const run = await upgrade(id, 'run');
    expect(run.body.message).toBe('Started the upgrade. You can monitor the progress with `heroku pg:upgrade:wait`.');
    expect(await waitStatus(id)).toEqual({ 'waiting?': true, message: 'preparing upgrade', step: '1/7' });
    expect((await call(sim, 'GET', `/client/v11/databases/${id}/wait_status`)).body['waiting?']).toBe(true);
    const cancel = await upgrade(id, 'cancel');
    expect(cancel.status).toBe(422);
    expect(cancel.body.message).toBe("You can't cancel the upgrade because it's currently in progress.");

    sim.world.advance(3 * 90_000);
    expect((await waitStatus(id)).step).toBe('4/7');
    sim.world.advance(4 * 90_000);
    expect(await waitStatus(id)).toEqual({ 'waiting?': false, message: 'recreating followers', step: '7/7' });
    expect(infoRow((await call(sim, 'GET', `/client/v11/databases/${id}`)).body, 'PG Version')).toMatch(/^17\./);
  });

  it('cancels a scheduled upgrade, and refuses cancel when nothing is scheduled', async () => {
    const id = await addonId(sim, 'acme-prod');
    const nothing = await upgrade(id, 'cancel');
    expect(nothing.status).toBe(422);
    expect(nothing.body.message).toMatch(/^You haven't scheduled an upgrade on your database/);
    await upgrade(id, 'prepare');
    expect((await upgrade(id, 'cancel')).body.message).toBe('You canceled the upgrade.');
    expect((await upgrade(id, 'run')).status).toBe(400);
  });

  it('runs a prepared upgrade by itself at the maintenance window', async () => {
    const id = await addonId(sim, 'acme-prod');
    await upgrade(id, 'prepare');
    sim.world.advance(3 * HOUR + 7 * 24 * HOUR + 11 * MINUTE);
    expect((await waitStatus(id)).step).toBe('7/7');
    expect((await call(sim, 'GET', `/client/v11/databases/${id}`)).body.postgres_version).toMatch(/^17\./);
  });

  it('upgrades an Essential database directly and refuses prepare, dry run and cancel there', async () => {
    const id = await addonId(sim, 'acme-staging');
    for (const action of ['prepare', 'dry_run', 'cancel']) {
      const refused = await upgrade(id, action);
      expect(refused.status).toBe(422);
      expect(refused.body.message).toMatch(/Standard-tier and higher leader databases.*For Essential-tier databases, use `heroku pg:upgrade:run`/);
    }
    expect((await upgrade(id, 'run', { version: 17 })).status).toBe(200);
    expect(await waitStatus(id)).toEqual({ 'waiting?': true, message: 'starting upgrade', step: '1/3' });
    sim.world.advance(9 * MINUTE);
    expect((await call(sim, 'GET', `/client/v11/databases/${id}`)).body.postgres_version).toMatch(/^17\./);
  });

  it('upgrades a follower only once it is close to its leader, unfollowing first', async () => {
    const follower = (await call(sim, 'POST', '/apps/acme-prod/addons', { body: { plan: 'heroku-postgresql:standard-0', config: { follow: 'DATABASE_URL' } } })).body.id;
    sim.world.advance(15 * MINUTE);
    const lagging = await upgrade(follower, 'run', { version: '16' });
    expect(lagging.status).toBe(422);
    expect(lagging.body.message).toBe('database must not be too far behind leader, please wait until your follower catches up with its leader.');

    sim.world.advance(8 * HOUR);
    expect((await upgrade(follower, 'run', { version: '16' })).status).toBe(200);
    expect((await waitStatus(follower)).message).toBe('unfollowing leader');
    sim.world.advance(4 * MINUTE);
    expect((await call(sim, 'GET', `/client/v11/databases/${follower}`)).body.following).toBeNull();
    sim.world.advance(20 * MINUTE);
    const done = await call(sim, 'GET', `/client/v11/databases/${follower}`);
    expect(done.body.postgres_version).toMatch(/^16\./);
    const leader = await call(sim, 'GET', `/client/v11/databases/${await addonId(sim, 'acme-prod')}`);
    expect(leader.body.postgres_version).toMatch(/^15\./);
  });

  it('refuses prepare on a follower and a version that is not newer', async () => {
    const follower = (await call(sim, 'POST', '/apps/acme-prod/addons', { body: { plan: 'heroku-postgresql:standard-0', config: { follow: 'DATABASE_URL' } } })).body.id;
    sim.world.advance(15 * MINUTE);
    const onFollower = await upgrade(follower, 'prepare');
    expect(onFollower.status).toBe(422);
    expect(onFollower.body.message).toMatch(/on Standard-tier and higher leader databases\.$/);
    const older = await upgrade(await addonId(sim, 'acme-prod'), 'prepare', { version: '14' });
    expect(older.status).toBe(422);
    expect(older.body.id).toBe('unprocessable_entity');
  });
});
