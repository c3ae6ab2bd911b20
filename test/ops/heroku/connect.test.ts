import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { isConflict, isNotFound } from '../../../src/ops/heroku/errors.js';
import type { Connection } from '../../../src/ops/heroku/types.js';
import { herokuError } from './expect.js';
import { MINUTE, startSandbox, type Sandbox } from '../../support/simulated-heroku.js';

/**
 * ConnectClient against the simulated Heroku. At the sandbox's time scale (a simulated minute per
 * real second) a fresh world's connections stay IDLE, not polling, for the length of each test.
 */
describe('ConnectClient (contract)', () => {
  let sandbox: Sandbox;
  const connect = () => sandbox.clients.connect;
  const advance = (ms: number) => sandbox.sim.world.advance(ms);
  const state = async (connection: Connection) => (await connect().connection(connection)).state;

  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  beforeEach(() => sandbox.sim.reset());
  afterAll(async () => {
    await sandbox.close();
  });

  it("discovers an app's connection and reads it with its mappings from the regional host", async () => {
    const [found] = await connect().discover('acme-prod');
    expect(found?.app_name).toBe('acme-prod');
    expect(found?.detail_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v3\/connections\//);

    const connection = await connect().findConnection('acme-prod', { priority: 'interactive' });
    expect(connection).toMatchObject({ id: found?.id, state: 'IDLE', db_key: 'DATABASE_URL', schema_name: 'salesforce', region_url: found?.region_url });
    expect(connection.mappings.map((m) => m.object_name).sort()).toEqual(['Account', 'Case', 'Contact', 'Opportunity']);
    const account = connection.mappings.find((m) => m.object_name === 'Account');
    expect(account).toMatchObject({ state: 'DATA_SYNCED', counts: { db: 1_204_311, sf: 1_204_311 } });
    expect(typeof account?.config?.revision).toBe('number');

    expect((await connect().findConnection('globex-prod')).db_key).toBe('HEROKU_POSTGRESQL_ONYX_URL');
  });

  it('says so when an app has no connection, after asking for access once', async () => {
    const error = await herokuError(connect().findConnection('initech-api'));
    expect(error).toMatchObject({ api: 'connect', reason: 'no_connection', message: 'No connection(s) found for initech-api' });
    expect(sandbox.sim.requests().some((r) => r.method === 'POST' && r.path === '/auth/initech-api')).toBe(true);
  });

  it('finds a new connection by getting on its access list, then sets it up', async () => {
    await sandbox.clients.platform.createAddOn('initech-api', { plan: 'herokuconnect:enterprise' });
    advance(2 * MINUTE);
    expect(await connect().discover('initech-api')).toEqual([]);

    const connection = await connect().findConnection('initech-api');
    expect(connection).toMatchObject({ state: 'NEW', db_key: null });
    await connect().setDatabase(connection, { db_key: 'DATABASE_URL', schema_name: 'salesforce' });
    expect((await connect().connection(connection)).db_key).toBe('DATABASE_URL');

    const link = await connect().authorizeUrl(connection, { next: 'https://connect-ops.example.com/done' });
    expect(link).toMatch(/^https:\/\//);
    sandbox.sim.authorizeSalesforce('initech-api');
    advance(1 * MINUTE);
    expect(await state(connection)).toBe('IDLE');
  });

  it('needs the resource name when an app has several connections', async () => {
    const second = await sandbox.clients.platform.createAddOn('acme-prod', { plan: 'herokuconnect:enterprise' });
    advance(2 * MINUTE);
    await connect().authorize('acme-prod');
    expect((await herokuError(connect().findConnection('acme-prod'))).reason).toBe('multiple_connections');
    expect((await connect().findConnection('acme-prod', { resourceName: second.name })).resource_name).toBe(second.name);
  });

  it('pauses an IDLE connection, refuses a second pause (409), resumes, and refuses a restart when healthy', async () => {
    const connection = await connect().findConnection('acme-prod');
    await connect().pause(connection);
    advance(1 * MINUTE);
    expect(await state(connection)).toBe('PAUSED');
    expect(isConflict(await herokuError(connect().pause(connection)))).toBe(true);

    await connect().resume(connection);
    advance(1 * MINUTE);
    expect(await state(connection)).not.toBe('PAUSED');
    const restart = await herokuError(connect().restart(connection));
    expect(restart).toMatchObject({ status: 409, reason: 'conflict' });
  });

  it('exports the configuration and imports it back', async () => {
    const connection = await connect().findConnection('acme-prod');
    const configuration = await connect().exportConfiguration(connection);
    expect(configuration.mappings.map((m) => m.object_name).sort()).toEqual(['Account', 'Case', 'Contact', 'Opportunity']);
    await connect().importConfiguration(connection, configuration);
    expect(await state(connection)).toBe('IMPORT_CONFIGURATION');
  });

  it('reads, updates (with the current revision), reloads and deletes a mapping', async () => {
    const connection = await connect().findConnection('acme-prod');
    const listed = connection.mappings.find((m) => m.object_name === 'Opportunity');
    if (!listed) throw new Error('the seed maps Opportunity');
    const mapping = await connect().mapping(connection, listed);
    const revision = mapping.config?.revision ?? 0;
    const config = { ...mapping.config, fields: { ...mapping.config?.fields, Amount: {} } };

    const stale = await herokuError(connect().updateMapping(connection, mapping, { object_name: 'Opportunity', config, revision: revision - 1 }));
    expect(isConflict(stale)).toBe(true);
    await connect().updateMapping(connection, mapping, { object_name: 'Opportunity', config, revision });
    const updated = await connect().mapping(connection, mapping);
    expect(updated.config?.revision).toBeGreaterThan(revision);
    expect(updated.config?.fields).toHaveProperty('Amount');

    const account = connection.mappings.find((m) => m.object_name === 'Account');
    if (!account) throw new Error('the seed maps Account');
    await connect().reloadMapping(connection, account);
    expect((await connect().mapping(connection, account)).state).toBe('RELOAD_TABLE');

    await connect().deleteMapping(connection, mapping);
    expect(isNotFound(await herokuError(connect().mapping(connection, mapping)))).toBe(true);
  });

  it('runs diagnose, polling its result until ready', async () => {
    const connection = await connect().findConnection('acme-prod');
    const result = await connect().diagnose(connection);
    expect(result.passes?.map((p) => p.rule_id)).toContain('MUST_USE_RECENT_API_VERSION');
    expect(Object.keys(result.mappings ?? {}).sort()).toEqual(['Account', 'Case', 'Contact', 'Opportunity']);
    const polls = sandbox.sim.requests().filter((r) => r.path.includes('/validations/'));
    expect(polls.length).toBeGreaterThan(1);
    expect(polls.map((r) => r.status)).toEqual([...polls.slice(0, -1).map(() => 202), 200]);
  });

  it('reads write errors and notifications', async () => {
    const connection = await connect().findConnection('acme-prod');
    const errors = await connect().writeErrors(connection);
    expect(errors.count).toBe(errors.results.length);
    expect(Array.isArray(await connect().notifications(connection, { event_type: 'mapping-error' }))).toBe(true);
    const request = sandbox.sim.requests().find((r) => r.path.endsWith('/notifications'));
    expect(new URLSearchParams(request?.query).get('page_size')).toBe('1000');
  });
});
