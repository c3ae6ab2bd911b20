import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { SimulatedHeroku } from '../../../src/sandbox/heroku/index.js';
import { addonId, call, connectionId, HOUR, infoRow, MINUTE, simulatedHeroku } from './helpers.js';

/**
 * What goes wrong without an announcement, as the sandbox plays it: a mapped field deleted in
 * Salesforce, refused writes, an org out of API calls, a connection in an error state, and a
 * deprecated Postgres version, each seen only through the documented endpoints.
 */
describe('simulated Heroku: unannounced trouble', () => {
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

  const detail = async () => (await call(sim, 'GET', `/api/v3/connections/${cid}?deep=true`)).body;
  const mapping = async (name: string) => (await detail()).mappings.find((m: { object_name: string }) => m.object_name === name);
  const admin = (path: string, body?: unknown) => call(sim, 'POST', `/__sandbox/${path}`, { body });

  it('stops a mapping at its next poll when Salesforce deletes a field it maps, until the mapping is saved again', async () => {
    const before = await mapping('Account');
    expect(before.config.fields).toHaveProperty('External_ID__c');
    expect((await admin('salesforce/acme-prod/delete-field', { object: 'Account', field: 'External_ID__c' })).status).toBe(200);
    // Nothing changes until Heroku Connect polls Salesforce again (every sf_polling_seconds).
    expect((await mapping('Account')).state).toBe('DATA_SYNCED');
    sim.world.advance(before.sf_polling_seconds * 1000);
    const stopped = await mapping('Account');
    expect(stopped.state).toBe('SCHEMA_CHANGED');
    const frozenAt = stopped.times.sf_poll;
    sim.world.advance(2 * HOUR);
    expect(await mapping('Account')).toMatchObject({ state: 'SCHEMA_CHANGED', times: { sf_poll: frozenAt } });
    expect((await mapping('Contact')).times.sf_poll > frozenAt).toBe(true);

    const notifications = (await call(sim, 'GET', `/api/v3/connections/${cid}/notifications`)).body.results;
    expect(notifications).toEqual([expect.objectContaining({ event_type: 'mapping-error', message: expect.stringContaining('External_ID__c') })]);
    const schema = (await call(sim, 'GET', `/api/v3/connections/${cid}/schemas/Account`)).body;
    expect(schema.fields.map((f: { name: string }) => f.name)).not.toContain('External_ID__c');
    expect(schema.fields).toContainEqual({ name: 'Id', required: true });

    // Saving the mapping unchanged, as the dashboard's Save does, drops the deleted field and resumes sync.
    const current = await mapping('Account');
    const saved = await call(sim, 'PUT', `/api/v3/mappings/${current.id}`, { body: { object_name: 'Account', config: current.config } });
    expect(saved.status).toBe(200);
    expect(saved.body.config.fields).not.toHaveProperty('External_ID__c');
    for (let i = 0; i < 20 && (await mapping('Account')).state !== 'DATA_SYNCED'; i++) sim.world.advance(MINUTE);
    expect(await mapping('Account')).toMatchObject({ state: 'DATA_SYNCED' });
    expect((await mapping('Account')).times.sf_poll > frozenAt).toBe(true);

    // A deleted field cannot be mapped again.
    const again = await mapping('Account');
    const refused = await call(sim, 'PUT', `/api/v3/mappings/${again.id}`, {
      body: { object_name: 'Account', config: { ...again.config, fields: { ...again.config.fields, External_ID__c: {} } } },
    });
    expect(refused).toMatchObject({ status: 400, body: { message: 'Account has no field External_ID__c in Salesforce.' } });
  });

  it('lists refused writes of the last 24 hours in /errors and counts.errors', async () => {
    expect((await call(sim, 'GET', `/api/v3/connections/${cid}/errors`)).body).toEqual({ count: 0, results: [] });
    await admin('salesforce/acme-prod/refuse-writes', { object: 'Contact', count: 3 });
    const errors = (await call(sim, 'GET', `/api/v3/connections/${cid}/errors`)).body;
    expect(errors.count).toBe(3);
    expect(errors.results[0]).toEqual({ id: expect.any(Number), table_name: 'contact', record_id: expect.any(Number), message: expect.any(String), created_at: expect.any(String) });
    expect((await mapping('Contact')).counts.errors).toBe(3);
    expect((await call(sim, 'GET', `/api/v3/mappings/${(await mapping('Contact')).id}/errors`)).body.count).toBe(3);
    sim.world.advance(25 * HOUR);
    expect((await call(sim, 'GET', `/api/v3/connections/${cid}/errors`)).body.count).toBe(0);
    expect((await mapping('Contact')).counts.errors).toBe(0);
  });

  it('stops polling Salesforce while the org has no API calls left, with the mappings still DATA_SYNCED', async () => {
    await admin('salesforce/acme-prod/api-limit', { exhausted: true });
    const frozen = (await mapping('Case')).times.sf_poll;
    sim.world.advance(3 * HOUR);
    expect(await mapping('Case')).toMatchObject({ state: 'DATA_SYNCED', times: { sf_poll: frozen } });
    await admin('salesforce/acme-prod/api-limit', { exhausted: false });
    sim.world.advance(15 * MINUTE);
    expect((await mapping('Case')).times.sf_poll > frozen).toBe(true);
  });

  it('puts a connection in an error state, raising a postgres-connection notification when the database is lost', async () => {
    await admin('connection-state/acme-prod', { state: 'DB_UNAVAILABLE' });
    expect((await detail()).state).toBe('DB_UNAVAILABLE');
    const [notification] = (await call(sim, 'GET', `/api/v3/connections/${cid}/notifications?event_type=postgres-connection`)).body.results;
    expect(notification).toMatchObject({ event_type: 'postgres-connection', message: expect.stringContaining('DATABASE_URL') });
    expect((await call(sim, 'POST', `/api/v3/connections/${cid}/notifications/acknowledge`, { body: null })).status).toBe(204);
    expect((await call(sim, 'GET', `/api/v3/connections/${cid}/notifications`)).body.results).toEqual([]);
    expect((await call(sim, 'POST', `/api/v3/connections/${cid}/actions/restart`)).status).toBe(202);
    expect((await detail()).state).toBe('RECOVERY');
    await admin('connection-state/acme-prod', { state: 'NEED_AUTHENTICATION' });
    expect((await detail()).state).toBe('NEED_AUTHENTICATION');
  });

  it('deprecates a Postgres version as the policy says: a Warning row, no new databases after three months', async () => {
    const id = await addonId(sim, 'acme-prod');
    const database = async () => (await call(sim, 'GET', `/client/v11/databases/${id}`)).body;
    expect(infoRow(await database(), 'Warning')).toBeUndefined();
    const now = sim.world.clock.now();
    const aged = await admin('versions/15/deprecate');
    const forced = new Date(now);
    forced.setUTCMonth(forced.getUTCMonth() + 5);
    expect(aged.body).toMatchObject({ major: 15, forcedUpgradesFrom: expect.stringMatching(new RegExp(`^${forced.toISOString().slice(0, 10)}`)) });
    expect(infoRow(await database(), 'PG Version')).toMatch(/^15\./);
    expect(infoRow(await database(), 'Warning')).toBe(`Postgres 15 is deprecated. Heroku will upgrade this database by force on or after ${forced.toISOString().slice(0, 10)}; upgrade it before then with heroku pg:upgrade.`);

    const create = () => call(sim, 'POST', '/apps/acme-prod/addons', { body: { plan: 'heroku-postgresql:standard-0', config: { version: '15' } } });
    expect((await create()).status).toBe(201);
    sim.world.advance(92 * 24 * HOUR);
    expect(await create()).toMatchObject({ status: 422, body: { id: 'invalid_params', message: expect.stringContaining('Postgres 15 is deprecated') } });
    expect((await admin('versions/12/deprecate')).status).toBe(404);
  });
});
