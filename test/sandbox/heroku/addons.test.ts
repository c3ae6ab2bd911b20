import { afterAll, beforeEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { SimulatedHeroku } from '../../../src/sandbox/heroku/index.js';
import { addonId, call, HOUR, MINUTE, simulatedHeroku } from './helpers.js';

describe('simulated Heroku: add-ons, attachments and promote', () => {
  let sim: SimulatedHeroku;
  beforeAll(async () => {
    sim = await simulatedHeroku();
  });
  beforeEach(() => sim.reset());
  afterAll(() => sim.close());

  const newestRelease = async (app: string): Promise<string> =>
    (await call(sim, 'GET', `/apps/${app}/releases`, { headers: { Range: 'version ..; order=desc,max=1' } })).body[0].description;

  it('provisions Postgres asynchronously: provisioning, data API 404, then provisioned with a config var', async () => {
    const created = await call(sim, 'POST', '/apps/acme-prod/addons', { body: { plan: { name: 'heroku-postgresql:standard-0' } } });
    expect(created.status).toBe(201);
    expect(created.body.state).toBe('provisioning');
    expect(created.body.config_vars).toEqual([]);
    const id = created.body.id;
    expect((await call(sim, 'GET', `/client/v11/databases/${id}`)).status).toBe(404);
    expect((await call(sim, 'GET', `/client/v11/databases/${id}/wait_status`)).status).toBe(404);
    const attachment = (await call(sim, 'GET', `/addons/${id}/addon-attachments`)).body[0].name;
    expect(attachment).toMatch(/^HEROKU_POSTGRESQL_[A-Z]+$/);
    expect((await call(sim, 'GET', '/apps/acme-prod/config-vars')).body[`${attachment}_URL`]).toBeUndefined();

    sim.world.advance(5 * MINUTE);
    const provisioned = await call(sim, 'GET', `/apps/acme-prod/addons/${id}`);
    expect(provisioned.body.state).toBe('provisioned');
    expect(provisioned.body.config_vars).toEqual([`${attachment}_URL`]);
    expect((await call(sim, 'GET', '/apps/acme-prod/config-vars')).body[`${attachment}_URL`]).toMatch(/^postgres:\/\//);
    expect((await call(sim, 'GET', `/client/v11/databases/${id}/wait_status`)).body).toEqual({ 'waiting?': false, message: 'available' });
    expect(await newestRelease('acme-prod')).toBe(`Attach ${attachment} (@ref:${provisioned.body.name})`);
  });

  it('gives a new add-on a free name: a name asked for that is taken is refused, a generated one is drawn again', async () => {
    const plan = 'heroku-postgresql:standard-0';
    const generated = (await call(sim, 'POST', '/apps/acme-prod/addons', { body: { plan } })).body.name;
    sim.reset();
    // The same world again, with the name the generator gives next already taken.
    expect((await call(sim, 'POST', '/apps/acme-prod/addons', { body: { plan, name: generated } })).status).toBe(201);
    const again = await call(sim, 'POST', '/apps/acme-prod/addons', { body: { plan } });
    expect(again.status).toBe(201);
    expect(again.body.name).not.toBe(generated);
    const refused = await call(sim, 'POST', '/apps/acme-prod/addons', { body: { plan, name: generated } });
    expect(refused.status).toBe(422);
    expect(refused.body.message).toBe(`Name ${generated} is already taken.`);
  });

  it('needs confirm to take an attachment name already in use', async () => {
    const spare = (await call(sim, 'POST', '/apps/acme-prod/addons', { body: { plan: 'heroku-postgresql:standard-0' } })).body;
    const refused = await call(sim, 'POST', '/addon-attachments', { body: { addon: { name: spare.name }, app: { name: 'acme-prod' }, name: 'DATABASE' } });
    expect(refused.body.id).toBe('confirmation_required');
    expect(refused.status).toBe(423);
    const before = sim.world.addons.size;
    const asDatabase = await call(sim, 'POST', '/apps/acme-prod/addons', { body: { plan: 'heroku-postgresql:standard-0', attachment: { name: 'DATABASE' } } });
    expect(asDatabase.body.id).toBe('confirmation_required');
    expect(sim.world.addons.size).toBe(before);
  });

  it("promotes as pg:promote does: the old database first gets a name of its own, then DATABASE moves with confirm", async () => {
    const oldId = await addonId(sim, 'acme-prod');
    const oldUrl = (await call(sim, 'GET', '/apps/acme-prod/config-vars')).body.DATABASE_URL;
    const target = (await call(sim, 'POST', '/apps/acme-prod/addons', { body: { plan: 'heroku-postgresql:standard-2' } })).body;
    sim.world.advance(5 * MINUTE);
    const promote = { body: { addon: { name: target.name }, app: { name: 'acme-prod' }, name: 'DATABASE', confirm: 'acme-prod' } };

    // DATABASE is the old database's last attachment on the app that bills it: Heroku keeps it.
    const refused = await call(sim, 'POST', '/addon-attachments', promote);
    expect(refused.status).toBe(422);
    expect(refused.body.message).toContain('attach it under another name first');
    // pg:promote step 2: "Ensuring an alternate alias for existing DATABASE_URL".
    const oldName = sim.world.addons.get(oldId)?.name;
    const alias = await call(sim, 'POST', '/addon-attachments', { body: { addon: { name: oldName }, app: { name: 'acme-prod' }, namespace: null, confirm: 'acme-prod' } });
    expect(alias.body.name).toBe('HEROKU_POSTGRESQL_AMBER');

    const promoted = await call(sim, 'POST', '/addon-attachments', promote);
    expect(promoted.status).toBe(201);
    const vars = (await call(sim, 'GET', '/apps/acme-prod/config-vars')).body;
    const newUrl = sim.world.addons.get(target.id)?.url;
    expect(vars.DATABASE_URL).toBe(newUrl);
    const old = (await call(sim, 'GET', `/addons/${oldId}/addon-attachments`)).body;
    expect(old.map((a: { name: string }) => a.name)).toEqual(['HEROKU_POSTGRESQL_AMBER']);
    expect(vars.HEROKU_POSTGRESQL_AMBER_URL).toBe(oldUrl);
    const releases = (await call(sim, 'GET', '/apps/acme-prod/releases', { headers: { Range: 'version ..; order=desc,max=3' } })).body;
    expect(releases.map((r: { description: string }) => r.description)).toEqual([
      `Attach DATABASE (@ref:${target.name})`,
      `Detach DATABASE (@ref:${oldName})`,
      `Attach HEROKU_POSTGRESQL_AMBER (@ref:${oldName})`,
    ]);
  });

  it('keeps one name per app whatever the namespace: another namespace under a used name needs confirm', async () => {
    const id = await addonId(sim, 'acme-prod');
    const name = sim.world.addons.get(id)?.name;
    const pool = { addon: { name }, app: { name: 'acme-prod' }, name: 'DATABASE', namespace: 'connection-pooling:default' };
    expect((await call(sim, 'POST', '/addon-attachments', { body: pool })).body.id).toBe('confirmation_required');
    const asPool = await call(sim, 'POST', '/addon-attachments', { body: { ...pool, name: 'DATABASE_CONNECTION_POOL' } });
    expect(asPool.body).toMatchObject({ name: 'DATABASE_CONNECTION_POOL', namespace: 'connection-pooling:default' });
    expect((await call(sim, 'GET', '/apps/acme-prod/addon-attachments')).body.filter((a: { name: string }) => a.name === 'DATABASE')).toHaveLength(1);
  });

  it('resolves DATABASE_URL to its attachment, with config vars on request', async () => {
    const { status, body } = await call(sim, 'POST', '/actions/addon-attachments/resolve', {
      body: { addon_attachment: 'DATABASE_URL', app: 'acme-prod' },
      headers: { 'Accept-Inclusion': 'addon:plan,config_vars' },
    });
    expect(status).toBe(200);
    expect(body[0].name).toBe('DATABASE');
    expect(body[0].config_vars).toEqual(['DATABASE_URL']);
    expect(body[0].addon.plan.name).toBe('heroku-postgresql:standard-0');
  });

  it('destroys an add-on: attachments and config vars go, a Detach release is made', async () => {
    const onyx = await addonId(sim, 'globex-prod', 'HEROKU_POSTGRESQL_ONYX');
    const gone = await call(sim, 'DELETE', `/apps/globex-prod/addons/${onyx}`);
    expect(gone.status).toBe(200);
    expect(gone.body.state).toBe('deprovisioned');
    const vars = (await call(sim, 'GET', '/apps/globex-prod/config-vars')).body;
    expect(vars.HEROKU_POSTGRESQL_ONYX_URL).toBeUndefined();
    expect(vars.DATABASE_URL).toBeDefined();
    expect(await newestRelease('globex-prod')).toMatch(/^Detach HEROKU_POSTGRESQL_ONYX \(@ref:postgresql-/);
    expect((await call(sim, 'GET', `/addons/${onyx}`)).status).toBe(404);
  });

  it('refuses followers and forks on Essential plans with 422 invalid_params', async () => {
    const onEssential = await call(sim, 'POST', '/apps/acme-staging/addons', {
      body: { plan: 'heroku-postgresql:essential-1', config: { follow: 'DATABASE_URL' } },
    });
    expect(onEssential.status).toBe(422);
    expect(onEssential.body.id).toBe('invalid_params');
    expect(onEssential.body.message).toMatch(/^Followers are only supported on Standard, Premium/);
    const ofEssential = await call(sim, 'POST', '/apps/acme-staging/addons', {
      body: { plan: 'heroku-postgresql:standard-0', config: { fork: 'DATABASE_URL' } },
    });
    expect(ofEssential.status).toBe(422);
    expect(ofEssential.body.message).toMatch(/^Forks are only supported/);
    const info = (await call(sim, 'GET', `/client/v11/databases/${await addonId(sim, 'acme-staging')}`)).body;
    expect(info.info.find((r: { name: string }) => r.name === 'Fork/Follow').values).toEqual(['Unsupported']);
  });

  it('refuses to overwrite an attachment config var and records config changes as releases', async () => {
    const refused = await call(sim, 'PATCH', '/apps/acme-prod/config-vars', { body: { DATABASE_URL: 'postgres://elsewhere' } });
    expect(refused.status).toBe(422);
    const changed = await call(sim, 'PATCH', '/apps/acme-prod/config-vars', { body: { FEATURE_X: 'on', RAILS_LOG_TO_STDOUT: null } });
    expect(changed.body.FEATURE_X).toBe('on');
    expect(changed.body.RAILS_LOG_TO_STDOUT).toBeUndefined();
    expect(await newestRelease('acme-prod')).toBe('Set FEATURE_X and remove RAILS_LOG_TO_STDOUT config vars');
  });

  it('changes a Postgres plan with a preparation and a changeover during which wait_status is waiting', async () => {
    const id = await addonId(sim, 'acme-prod');
    const changed = await call(sim, 'PATCH', `/apps/acme-prod/addons/${id}`, { body: { plan: { name: 'heroku-postgresql:standard-2' } } });
    expect(changed.body.plan.name).toBe('heroku-postgresql:standard-2');
    expect((await call(sim, 'GET', `/client/v11/databases/${id}/wait_status`)).body['waiting?']).toBe(true);
    sim.world.advance(2 * HOUR + 10_000);
    expect((await call(sim, 'GET', `/client/v11/databases/${id}/wait_status`)).body.message).toBe('changing over to the new plan');
    sim.world.advance(MINUTE);
    expect((await call(sim, 'GET', `/client/v11/databases/${id}/wait_status`)).body).toEqual({ 'waiting?': false, message: 'available' });
    const essential = await call(sim, 'PATCH', `/apps/acme-prod/addons/${id}`, { body: { plan: 'heroku-postgresql:essential-0' } });
    expect(essential.status).toBe(422);
    const unknown = await call(sim, 'PATCH', `/apps/acme-prod/addons/${id}`, { body: { plan: 'heroku-db1:invalid' } });
    expect(unknown.body.message).toBe('Couldn\'t find either the add-on service or the add-on plan of "heroku-db1:invalid".');
  });

  it('turns maintenance mode on and scales workers with relative string quantities', async () => {
    expect((await call(sim, 'PATCH', '/apps/acme-prod', { body: { maintenance: true } })).body.maintenance).toBe(true);
    const scaled = await call(sim, 'PATCH', '/apps/acme-prod/formation', { body: { updates: [{ type: 'worker', quantity: '-1' }] } });
    expect(scaled.body[0].quantity).toBe(2);
    const zero = await call(sim, 'PATCH', '/apps/acme-prod/formation/worker', { body: { quantity: 0 } });
    expect(zero.body.quantity).toBe(0);
    expect((await call(sim, 'PATCH', '/apps/acme-prod/formation/clock', { body: { quantity: 1 } })).status).toBe(404);
  });
});
