import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { SimulatedHeroku } from '../../../src/sandbox/heroku/index.js';
import { call, MINUTE, simulatedHeroku } from './helpers.js';

/**
 * The topologies real apps have (issue 10), on the seeded hooli-prod: a connection pool, a color
 * name as Connect's db_key, the database shared with hooli-reports, a release phase, a Heroku
 * Scheduler job and an existing follower.
 */
describe('simulated Heroku: topologies', () => {
  let sim: SimulatedHeroku;
  beforeEach(async () => {
    sim = await simulatedHeroku();
  });
  afterEach(() => sim.close());

  const attachments = async (app: string) => (await call(sim, 'GET', `/apps/${app}/addon-attachments`)).body as Array<{ id: string; name: string; namespace: string | null; addon: { id: string; name: string }; app: { name: string } }>;
  const databaseId = async () => (await attachments('hooli-prod')).find((a) => a.name === 'DATABASE')?.addon.id ?? '';
  const writersOf = (addonId: string, from: number) => sim.world.writeLedger.writersOf(addonId, from).map((w) => `${w.app}/${w.writer.replace(/\.\d+$/, '')}`);

  it('lists the pool in its namespace, the color name, and the attachment on the other app', async () => {
    const id = await databaseId();
    const names = (await attachments('hooli-prod')).filter((a) => a.addon.id === id).map((a) => [a.name, a.namespace]);
    expect(names).toEqual(expect.arrayContaining([['DATABASE', null], ['HEROKU_POSTGRESQL_CHARCOAL', null], ['DATABASE_CONNECTION_POOL', 'connection-pooling:default']]));
    const everywhere = (await call(sim, 'GET', `/addons/${id}/addon-attachments`)).body as Array<{ name: string; app: { name: string } }>;
    expect(everywhere.map((a) => `${a.app.name}::${a.name}`).sort()).toEqual([
      'hooli-prod::DATABASE',
      'hooli-prod::DATABASE_CONNECTION_POOL',
      'hooli-prod::HEROKU_POSTGRESQL_CHARCOAL',
      'hooli-reports::HOOLI_DB',
    ]);
    const vars = (await call(sim, 'GET', '/apps/hooli-prod/config-vars')).body;
    expect(vars.DATABASE_CONNECTION_POOL_URL).toBe(vars.DATABASE_URL);
    expect((await call(sim, 'GET', '/apps/hooli-reports/config-vars')).body.HOOLI_DB_URL).toBe(vars.DATABASE_URL);
  });

  it('lists the Scheduler add-on and an existing follower of the leader', async () => {
    const addons = (await call(sim, 'GET', '/apps/hooli-prod/addons')).body as Array<{ id: string; addon_service: { name: string } }>;
    expect(addons.map((a) => a.addon_service.name).sort()).toEqual(['heroku-postgresql', 'heroku-postgresql', 'herokuconnect', 'scheduler']);
    const leader = await databaseId();
    const follower = addons.find((a) => a.addon_service.name === 'heroku-postgresql' && a.id !== leader);
    const info = (await call(sim, 'GET', `/client/v11/databases/${follower?.id}`)).body;
    expect(info.following).toBe((await call(sim, 'GET', '/apps/hooli-prod/config-vars')).body.DATABASE_URL);
  });

  it('runs Scheduler jobs as one-off dynos that write through maintenance mode, until stopped', async () => {
    await call(sim, 'PATCH', '/apps/hooli-prod', { body: { maintenance: true } });
    await call(sim, 'PATCH', '/apps/hooli-prod/formation', { body: { updates: [{ type: 'worker', quantity: 0 }] } });
    const stoppedAt = sim.world.clock.now();
    const id = await databaseId();
    expect(writersOf(id, stoppedAt).filter((w) => w.startsWith('hooli-prod/'))).toEqual([]);
    sim.world.advance(10 * MINUTE);
    const dynos = (await call(sim, 'GET', '/apps/hooli-prod/dynos')).body as Array<{ name: string; type: string; command: string }>;
    const job = dynos.find((d) => d.type === 'scheduler');
    expect(job).toMatchObject({ command: 'bin/rake invoices:send' });
    expect(writersOf(id, stoppedAt)).toEqual(expect.arrayContaining(['hooli-prod/scheduler', 'hooli-reports/worker']));
    expect(sim.world.apps.get('hooli-prod')?.dynos.length).toBe(1);
    expect((await call(sim, 'POST', `/apps/hooli-prod/dynos/${job?.name}/actions/stop`)).status).toBe(200);
    expect((await call(sim, 'GET', '/apps/hooli-prod/dynos')).body.map((d: { name: string }) => d.name)).toEqual(['web.1', 'web.2']);
  });

  it('a one-off dyno keeps writing until DELETE stops it', async () => {
    const run = sim.world.apps.get('hooli-reports');
    if (!run) throw new Error('no hooli-reports');
    const { startOneOff } = await import('../../../src/sandbox/heroku/world/dynos.js');
    const dyno = startOneOff(sim.world, run, { command: 'bin/backfill', configVar: 'HOOLI_DB_URL' });
    const listed = (await call(sim, 'GET', '/apps/hooli-reports/dynos')).body as Array<{ name: string; type: string }>;
    expect(listed.find((d) => d.type === 'run')?.name).toBe(dyno.name);
    expect((await call(sim, 'DELETE', `/apps/hooli-reports/dynos/${dyno.name}`)).status).toBe(200);
    expect(sim.world.apps.get('hooli-reports')?.dynos).toEqual([]);
    expect((await call(sim, 'DELETE', '/apps/hooli-reports/dynos/run.9999')).status).toBe(404);
  });

  it("promotes as heroku/cli's pg:promote does: writes follow each name to the new leader; the pool moves only when re-attached", async () => {
    const old = await databaseId();
    const follower = ((await call(sim, 'GET', '/apps/hooli-prod/addons')).body as Array<{ id: string; name: string; addon_service: { name: string } }>).find(
      (a) => a.addon_service.name === 'heroku-postgresql' && a.id !== old,
    );
    const at = () => sim.world.clock.now();
    sim.world.advance(MINUTE);
    const promote = await call(sim, 'POST', '/addon-attachments', { body: { addon: { name: follower?.name }, app: { name: 'hooli-prod' }, confirm: 'hooli-prod', name: 'DATABASE', namespace: null } });
    expect(promote.status).toBe(201);
    const promotedAt = at();
    sim.world.advance(MINUTE);
    // The worker (DATABASE_URL) follows; the web (pool) and hooli-reports (HOOLI_DB) still write to the old one.
    expect(writersOf(old, promotedAt)).toEqual(expect.arrayContaining(['hooli-prod/web', 'hooli-reports/worker']));
    expect(writersOf(old, promotedAt)).not.toContain('hooli-prod/worker');
    await call(sim, 'POST', '/addon-attachments', {
      body: { addon: { name: follower?.name }, app: { name: 'hooli-prod' }, confirm: 'hooli-prod', name: 'DATABASE_CONNECTION_POOL', namespace: 'connection-pooling:default' },
    });
    const poolMovedAt = at();
    sim.world.advance(MINUTE);
    expect(writersOf(old, poolMovedAt).filter((w) => w.startsWith('hooli-prod/') && !w.endsWith('/scheduler'))).toEqual([]);
    expect(writersOf(follower?.id ?? '', poolMovedAt)).toEqual(expect.arrayContaining(['hooli-prod/web', 'hooli-prod/worker']));
  });

  it('runs the release phase on attach and detach releases: pending, then succeeded', async () => {
    const old = await databaseId();
    await call(sim, 'POST', '/addon-attachments', { body: { addon: { id: old }, app: { name: 'hooli-prod' }, name: 'SPARE' } });
    const newest = async () => (await call(sim, 'GET', '/apps/hooli-prod/releases', { headers: { Range: 'version ..; max=1, order=desc' } })).body[0];
    const pending = await newest();
    expect(pending).toMatchObject({ description: expect.stringContaining('Attach SPARE'), status: 'pending' });
    expect(pending.updated_at).toBe(pending.created_at);
    sim.world.advance(3 * MINUTE);
    // updated_at moves with the status: the release phase's end, which tells how long it took.
    const ended = await newest();
    expect(ended.status).toBe('succeeded');
    expect(Date.parse(ended.updated_at) - Date.parse(ended.created_at)).toBe(2 * MINUTE);
    const acme = await call(sim, 'POST', '/addon-attachments', { body: { addon: { id: (await call(sim, 'GET', '/apps/initech-api/addon-attachments/DATABASE')).body.addon.id }, app: { name: 'initech-api' }, name: 'SPARE' } });
    expect(acme.status).toBe(201);
    expect((await call(sim, 'GET', '/apps/initech-api/releases', { headers: { Range: 'version ..; max=1, order=desc' } })).body[0].status).toBe('succeeded');
  });

  it('answers 403 to changes on an app the token may only view, and still lets it read', async () => {
    const reports = sim.world.apps.get('hooli-reports');
    if (!reports) throw new Error('no hooli-reports');
    reports.access = 'view';
    expect((await call(sim, 'GET', '/apps/hooli-reports/formation')).status).toBe(200);
    const refused = await call(sim, 'PATCH', '/apps/hooli-reports', { body: { maintenance: true } });
    expect(refused).toMatchObject({ status: 403, body: { id: 'forbidden', message: 'You do not have access to the app hooli-reports.' } });
    const hooliDb = (await attachments('hooli-reports')).find((a) => a.name === 'HOOLI_DB');
    expect((await call(sim, 'DELETE', `/addon-attachments/${hooliDb?.id}`)).status).toBe(403);
  });
});
