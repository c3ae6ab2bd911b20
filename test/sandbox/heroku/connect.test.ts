import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { SimulatedHeroku } from '../../../src/sandbox/heroku/index.js';
import { call, connectionId, HOUR, MINUTE, simulatedHeroku } from './helpers.js';

describe('simulated Heroku: Heroku Connect', () => {
  let sim: SimulatedHeroku;
  let cid: string;
  beforeAll(async () => {
    sim = await simulatedHeroku();
  });
  beforeEach(async () => {
    sim.reset();
    cid = await connectionId(sim, 'acme-prod');
  });
  afterAll(() => sim.close());

  const connection = async (id = cid) => (await call(sim, 'GET', `/api/v3/connections/${id}?deep=true`)).body;
  const state = async (id = cid) => (await connection(id)).state as string;
  const mapping = async (name: string) => (await connection()).mappings.find((m: { object_name: string }) => m.object_name === name);
  const act = (action: string, id = cid, body?: unknown) => call(sim, 'POST', `/api/v3/connections/${id}/actions/${action}`, { body });

  /** As a runbook does: poll every 30 s until the connection is IDLE. */
  async function untilIdle(id = cid): Promise<void> {
    for (let i = 0; i < 40 && (await state(id)) !== 'IDLE'; i++) sim.world.advance(30_000);
    expect(await state(id)).toBe('IDLE');
  }

  it('finds the connection through discovery, whose URLs point back at this server', async () => {
    const { body } = await call(sim, 'GET', '/connections?app=acme-prod');
    expect(body.count).toBe(1);
    expect(body.results[0].region_url).toBe(sim.url);
    expect(body.results[0].detail_url).toBe(`${sim.url}/api/v3/connections/${cid}`);
    const detail = await connection();
    expect(detail).toMatchObject({ db_key: 'DATABASE_URL', schema_name: 'salesforce', name: 'acme-prod:DATABASE_URL:salesforce' });
    expect(detail.mappings.map((m: { object_name: string; state: string }) => `${m.object_name} ${m.state}`)).toEqual([
      'Account DATA_SYNCED',
      'Contact DATA_SYNCED',
      'Opportunity DATA_SYNCED',
      'Case DATA_SYNCED',
    ]);
    expect((await mapping('Contact')).counts.db).toBeGreaterThan(3_000_000);
    const none = await call(sim, 'GET', '/connections?app=initech-api');
    expect(none.body).toMatchObject({ results: [], count: 0 });
  });

  it('alternates between IDLE and POLLING_DB_CHANGES while the app takes writes, and rests IDLE without writes', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++, sim.world.advance(15_000)) seen.add(await state());
    expect([...seen].sort()).toEqual(['IDLE', 'POLLING_DB_CHANGES']);
    await call(sim, 'PATCH', '/apps/acme-prod', { body: { maintenance: true } });
    await call(sim, 'PATCH', '/apps/acme-prod/formation/worker', { body: { quantity: 0 } });
    seen.clear();
    for (let i = 0; i < 40; i++, sim.world.advance(15_000)) seen.add(await state());
    expect([...seen]).toEqual(['IDLE']);
  });

  it('pauses only from IDLE (409 otherwise), finishing pending operations before PAUSED', async () => {
    sim.setFaults({ stuckPolling: ['acme-prod'] });
    const refused = await act('pause');
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/only be paused when they are in the IDLE state/);
    sim.setFaults({ stuckPolling: [] });

    await untilIdle();
    expect((await act('pause')).status).toBe(202);
    expect(await state()).toBe('POLLING_DB_CHANGES');
    expect((await act('pause')).status).toBe(409);
    sim.world.advance(30_000);
    expect(await state()).toBe('PAUSED');
  });

  it('piles up writes as pending while paused; after resume they sync and mappings poll Salesforce', async () => {
    await untilIdle();
    await act('pause');
    sim.world.advance(HOUR);
    const account = await mapping('Account');
    expect(account.counts.pending).toBeGreaterThan(1000);
    expect((await mapping('Case')).counts.pending).toBe(0); // read_only mappings have nothing to write

    expect((await act('resume')).status).toBe(202);
    expect(await state()).toBe('POLLING_DB_CHANGES');
    expect((await mapping('Account')).state).toBe('POLLING_SF_CHANGES');
    expect((await act('resume')).status).toBe(409);
    sim.world.advance(MINUTE); // 40 rows a minute for an hour on 2 mappings, sent at 2,000 a minute
    const draining = (await mapping('Account')).counts.pending;
    expect(draining).toBeGreaterThan(0);
    expect(draining).toBeLessThan(account.counts.pending);
    sim.world.advance(2 * MINUTE);
    expect((await mapping('Account')).counts.pending).toBe(0);
    const synced = (await connection()).mappings.map((m: { state: string }) => m.state);
    expect(synced).toEqual(['DATA_SYNCED', 'DATA_SYNCED', 'DATA_SYNCED', 'DATA_SYNCED']);
    await untilIdle();
  });

  it('imports a configuration through IMPORT_CONFIGURATION, creating and altering mappings', async () => {
    const file = (await call(sim, 'GET', `/api/v3/connections/${cid}/actions/export`)).body;
    expect(file.version).toBe(1);
    expect(file.connection.name).toBe('acme-prod:DATABASE_URL:salesforce');
    const accountBefore = await mapping('Account');
    const account = file.mappings.find((m: { object_name: string }) => m.object_name === 'Account');
    account.config.fields.Industry = {};
    file.mappings.push({ object_name: 'Lead', config: { access: 'read_only', fields: { Name: {}, Email: {} } } });

    await untilIdle();
    const imported = await act('import', cid, file);
    expect(imported.status).toBe(202);
    expect(imported.body).toBeUndefined();
    expect(await state()).toBe('IMPORT_CONFIGURATION');
    sim.world.advance(MINUTE);
    expect(await state()).not.toBe('IMPORT_CONFIGURATION');
    const altered = await mapping('Account');
    expect(altered.state).toBe('SCHEMA_CHANGED');
    expect(altered.config.revision).toBe(accountBefore.config.revision + 1);
    expect(altered.config.fields.Industry).toEqual({});
    expect((await mapping('Lead')).state).toBe('INITIAL');
    expect((await mapping('Contact')).config.revision).toBe(1);
    sim.world.advance(HOUR);
    expect((await mapping('Account')).state).toBe('DATA_SYNCED');
    expect((await mapping('Lead')).state).toBe('DATA_SYNCED');
    expect((await mapping('Lead')).counts.db).toBe(251_004);
  });

  it('reloads a mapping for a time proportional to its rows', async () => {
    const contact = await mapping('Contact');
    expect((await call(sim, 'POST', `/api/v3/mappings/${contact.id}/actions/reload`)).status).toBe(202);
    expect((await mapping('Contact')).state).toBe('RELOAD_TABLE');
    expect((await call(sim, 'POST', `/api/v3/mappings/${contact.id}/actions/reload`)).status).toBe(409);
    sim.world.advance(HOUR); // 3.4M rows at 2M rows/hour
    const halfway = await mapping('Contact');
    expect(halfway.state).toBe('RELOAD_TABLE');
    expect(halfway.counts.db).toBeLessThan(halfway.counts.sf);
    sim.world.advance(45 * MINUTE);
    expect((await mapping('Contact')).state).toBe('DATA_SYNCED');
  });

  it('updates a mapping only at its current revision: SCHEMA_CHANGED -> RESYNC -> DATA_SYNCED', async () => {
    const opportunity = await mapping('Opportunity');
    const config = { ...opportunity.config, fields: { ...opportunity.config.fields, Amount: {} } };
    const stale = await call(sim, 'PUT', `/api/v3/mappings/${opportunity.id}`, { body: { config: { ...config, revision: 0 } } });
    expect(stale.status).toBe(409);
    const updated = await call(sim, 'PUT', `/api/v3/mappings/${opportunity.id}`, { body: { object_name: 'Opportunity', config } });
    expect(updated.status).toBe(200);
    expect(updated.body.state).toBe('SCHEMA_CHANGED');
    expect(updated.body.config.revision).toBe(2);
    sim.world.advance(40_000);
    expect((await mapping('Opportunity')).state).toBe('RESYNC');
    sim.world.advance(10 * MINUTE);
    expect((await mapping('Opportunity')).state).toBe('DATA_SYNCED');
    expect((await call(sim, 'DELETE', `/api/v3/mappings/${opportunity.id}`)).status).toBe(204);
    expect(await mapping('Opportunity')).toBeUndefined();
  });

  it('re-points the connection with a db_key (400 when the config var does not exist)', async () => {
    const missing = await call(sim, 'PATCH', `/api/v3/connections/${cid}`, { body: { db_key: 'HEROKU_POSTGRESQL_NOPE_URL' } });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toMatch(/HEROKU_POSTGRESQL_NOPE_URL does not exist/);
    const second = (await call(sim, 'POST', '/apps/acme-prod/addons', { body: { plan: 'heroku-postgresql:standard-0' } })).body;
    sim.world.advance(5 * MINUTE);
    const key = `${(await call(sim, 'GET', `/addons/${second.id}/addon-attachments`)).body[0].name}_URL`;
    expect((await call(sim, 'GET', '/api/v3/apps/acme-prod')).body.db_keys.map((k: { name: string }) => k.name)).toContain(key);
    const moved = await call(sim, 'PATCH', `/api/v3/connections/${cid}`, { body: { db_key: key, schema_name: 'salesforce' } });
    expect(moved.status).toBe(200);
    expect(moved.body.db_key).toBe(key);
    expect(moved.body.database.host).toBe(new URL(sim.world.addons.get(second.id)?.url ?? '').hostname);
  });

  it('sets up a new Connect add-on: NEW -> NEED_AUTHENTICATION -> authorize -> IDLE', async () => {
    const created = await call(sim, 'POST', '/apps/initech-api/addons', { body: { plan: 'herokuconnect:demo' } });
    expect(created.status).toBe(201);
    sim.world.advance(MINUTE);
    expect((await call(sim, 'GET', '/connections?app=initech-api')).body.count).toBe(0);
    const access = await call(sim, 'POST', '/auth/initech-api');
    expect(access.body.connections.some((c: { app_name: string }) => c.app_name === 'initech-api')).toBe(true);
    const id = await connectionId(sim, 'initech-api');
    expect(await state(id)).toBe('NEW');
    expect((await act('import', id, { mappings: [] })).status).toBe(409);

    await call(sim, 'PATCH', `/api/v3/connections/${id}`, { body: { db_key: 'DATABASE_URL', schema_name: 'salesforce' } });
    expect(await state(id)).toBe('NEED_AUTHENTICATION');
    const login = await call(sim, 'POST', `/api/v3/connections/${id}/authorize_url`, { body: { environment: 'production', next: 'http://localhost:18000' } });
    expect(login.status).toBe(201);
    expect(login.body.redirect).toMatch(/^https:\/\/login\.salesforce\.com\/services\/oauth2\/authorize\?/);

    sim.authorizeSalesforce('initech-api');
    await untilIdle(id);
    expect((await connection(id)).sf_info.organization_id).toMatch(/^00D/);
    expect((await call(sim, 'DELETE', `/apps/initech-api/addons/${created.body.id}`)).status).toBe(200);
    expect((await call(sim, 'GET', `/api/v3/connections/${id}`)).status).toBe(404);
  });

  it('adds a parallel connection to an app, found by its resource name once on the access list', async () => {
    const created = await call(sim, 'POST', '/apps/acme-prod/addons', { body: { plan: 'herokuconnect:enterprise' } });
    expect(created.status).toBe(201);
    const attachments = (await call(sim, 'GET', `/addons/${created.body.id}/addon-attachments`)).body;
    expect(attachments.map((a: { name: string }) => a.name)).toEqual(['HEROKUCONNECT_AMBER']);
    sim.world.advance(MINUTE);
    expect((await call(sim, 'GET', '/connections?app=acme-prod')).body.count).toBe(1);
    await call(sim, 'POST', '/auth/acme-prod');
    expect((await call(sim, 'GET', '/connections?app=acme-prod')).body.count).toBe(2);
    const mine = await call(sim, 'GET', `/connections?app=acme-prod&resource_name=${created.body.name}`);
    expect(mine.body.count).toBe(1);
    const id = mine.body.results[0].id;
    await call(sim, 'PATCH', `/api/v3/connections/${id}`, { body: { db_key: 'DATABASE_URL', schema_name: 'salesforce_v2' } });
    sim.authorizeSalesforce('acme-prod');
    const detail = await connection(id);
    expect(detail.name).toBe('acme-prod:DATABASE_URL:salesforce_v2');
    expect(detail.organization_id).toBe((await connection()).organization_id); // the same Salesforce org
  });

  it('restarts from an error state through RECOVERY, and refuses a restart of a healthy connection', async () => {
    await untilIdle();
    expect((await act('restart')).status).toBe(409);
    await call(sim, 'POST', '/__sandbox/connection-state/acme-prod', { body: { state: 'SYSTEM_ERROR' } });
    expect(await state()).toBe('SYSTEM_ERROR');
    expect((await act('pause')).status).toBe(409);
    expect((await act('restart')).status).toBe(202);
    expect(await state()).toBe('RECOVERY');
    sim.world.advance(2 * MINUTE);
    await untilIdle();
  });

  it('diagnoses through a result_url that answers 202 until the result is ready', async () => {
    const started = await call(sim, 'POST', `/api/v3/connections/${cid}/validations`);
    expect(started.status).toBe(202);
    const path = new URL(started.body.result_url).pathname;
    expect((await call(sim, 'GET', path)).status).toBe(202);
    sim.world.advance(10_000);
    const result = await call(sim, 'GET', path);
    expect(result.status).toBe(200);
    expect(result.body.errors).toEqual([]);
    expect(Object.keys(result.body.mappings)).toEqual(['Account', 'Contact', 'Opportunity', 'Case']);
    expect((await call(sim, 'GET', `/api/v3/connections/${cid}/errors`)).body).toEqual({ count: 0, results: [] });
  });
});
