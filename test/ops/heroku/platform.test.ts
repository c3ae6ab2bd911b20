import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { isConfirmationRequired, isNotFound } from '../../../src/ops/heroku/errors.js';
import { isEssentialPlan, isPostgresAddOn } from '../../../src/ops/heroku/platform.js';
import { herokuError } from './expect.js';
import { MINUTE, startSandbox, type Sandbox } from '../../support/simulated-heroku.js';

/** PlatformClient against the simulated Heroku (seed: acme-prod with one standard-0 database). */
describe('PlatformClient (contract)', () => {
  let sandbox: Sandbox;
  const platform = () => sandbox.clients.platform;

  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  beforeEach(() => sandbox.sim.reset());
  afterAll(async () => {
    await sandbox.close();
  });

  it('reads an app and turns maintenance mode on and off', async () => {
    expect(await platform().app('acme-prod')).toMatchObject({ name: 'acme-prod', maintenance: false });
    expect(await platform().setMaintenance('acme-prod', true, { priority: 'interactive' })).toMatchObject({ maintenance: true });
    expect((await platform().app('acme-prod')).maintenance).toBe(true);
    await platform().setMaintenance('acme-prod', false);
    expect((await platform().app('acme-prod')).maintenance).toBe(false);
  });

  it('fails with not_found for an unknown app', async () => {
    const error = await herokuError(platform().app('no-such-app'));
    expect(isNotFound(error)).toBe(true);
    expect(error).toMatchObject({ api: 'platform', id: 'not_found', status: 404 });
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('lists the formation and scales worker dynos in one batch', async () => {
    const before = await platform().formation('acme-prod');
    expect(before.find((f) => f.type === 'worker')?.quantity).toBe(3);
    const updated = await platform().updateFormation('acme-prod', [{ type: 'worker', quantity: 0 }]);
    expect(updated.find((f) => f.type === 'worker')?.quantity).toBe(0);
    expect((await platform().formation('acme-prod')).find((f) => f.type === 'worker')?.quantity).toBe(0);
  });

  it('reads, sets and unsets config vars, each change making a release', async () => {
    const vars = await platform().configVars('acme-prod');
    expect(vars.DATABASE_URL).toMatch(/^postgres:\/\//);
    const [before] = await platform().releases('acme-prod', { newest: 1 });
    const updated = await platform().updateConfigVars('acme-prod', { FEATURE_X: 'on', RAILS_LOG_TO_STDOUT: null });
    expect(updated.FEATURE_X).toBe('on');
    expect(updated).not.toHaveProperty('RAILS_LOG_TO_STDOUT');
    const [newest] = await platform().releases('acme-prod', { newest: 1 });
    expect(newest?.version).toBe((before?.version ?? 0) + 1);
    expect(await platform().release('acme-prod', newest?.version ?? 0)).toMatchObject({ id: newest?.id });
  });

  it('lists every release, oldest first', async () => {
    const releases = await platform().releases('acme-prod');
    expect(releases.length).toBeGreaterThan(1);
    expect(releases.map((r) => r.version)).toEqual([...releases.map((r) => r.version)].sort((a, b) => a - b));
  });

  it('creates a follower add-on that provisions in the background, changes its plan and destroys it', async () => {
    const created = await platform().createAddOn('acme-prod', {
      plan: 'heroku-postgresql:standard-0',
      attachmentName: 'FOLLOWER',
      config: { follow: 'DATABASE_URL' },
    });
    expect(created).toMatchObject({ state: 'provisioning', plan: { name: 'heroku-postgresql:standard-0' } });
    expect(isPostgresAddOn(created)).toBe(true);
    sandbox.sim.world.advance(30 * MINUTE);
    expect((await platform().addOn('acme-prod', created.name)).state).toBe('provisioned');
    expect((await platform().addOns('acme-prod')).map((a) => a.id)).toContain(created.id);

    const changed = await platform().changeAddOnPlan('acme-prod', created.id, 'heroku-postgresql:standard-2');
    expect(changed.id).toBe(created.id);

    const destroyed = await platform().destroyAddOn('acme-prod', created.id);
    expect(['deprovisioned', 'deprovisioning']).toContain(destroyed.state);
    sandbox.sim.world.advance(30 * MINUTE);
    expect(isNotFound(await herokuError(platform().addOn('acme-prod', created.id)))).toBe(true);
  });

  it('creates a database at a given Postgres version', async () => {
    const created = await platform().createAddOn('acme-prod', { plan: 'heroku-postgresql:standard-0', config: { version: '16' } });
    sandbox.sim.world.advance(30 * MINUTE);
    expect((await sandbox.clients.data.database(created.id)).postgres_version).toMatch(/^16/);
  });

  it('resolves DATABASE_URL and promotes another database with confirm', async () => {
    const [database] = await platform().resolveAttachment('acme-prod', 'DATABASE_URL', { addonService: 'heroku-postgresql' });
    expect(database).toMatchObject({ name: 'DATABASE', app: { name: 'acme-prod' } });
    expect(database?.addon.plan?.name).toBe('heroku-postgresql:standard-0');
    expect(isEssentialPlan(database?.addon.plan?.name ?? '')).toBe(false);

    const other = await platform().createAddOn('acme-prod', { plan: 'heroku-postgresql:standard-0' });
    sandbox.sim.world.advance(30 * MINUTE);
    const refused = await herokuError(platform().createAttachment({ addon: other.name, app: 'acme-prod', name: 'DATABASE' }));
    expect(isConfirmationRequired(refused)).toBe(true);

    // pg:promote step 2 first: DATABASE is the old leader's last name on the app that bills it.
    await platform().createAttachment({ addon: database?.addon.name ?? '', app: 'acme-prod', name: 'OLD_DATABASE', namespace: null, confirm: 'acme-prod' });
    const promoted = await platform().createAttachment({ addon: other.name, app: 'acme-prod', name: 'DATABASE', namespace: null, confirm: 'acme-prod' });
    expect(promoted.addon.id).toBe(other.id);
    const attachments = await platform().attachments('acme-prod');
    expect(attachments.find((a) => a.name === 'DATABASE')?.addon.id).toBe(other.id);
    expect(attachments.find((a) => a.name === 'DATABASE')?.config_vars).toEqual(['DATABASE_URL']);
    // The old leader stays reachable under a name of its own.
    expect(attachments.some((a) => a.addon.id === database?.addon.id)).toBe(true);

    const extra = await platform().createAttachment({ addon: other.name, app: 'acme-prod', name: 'REPORTING' });
    await platform().deleteAttachment(extra.id);
    expect((await platform().attachments('acme-prod')).map((a) => a.name)).not.toContain('REPORTING');
  });

  it('lists every attachment of a shared database, on every app, with the pool in its namespace', async () => {
    const [database] = await platform().resolveAttachment('hooli-prod', 'DATABASE_URL');
    const everywhere = await platform().addOnAttachments(database?.addon.id ?? '');
    expect(everywhere.map((a) => [a.app.name, a.name, a.namespace]).sort()).toEqual([
      ['hooli-prod', 'DATABASE', null],
      ['hooli-prod', 'DATABASE_CONNECTION_POOL', 'connection-pooling:default'],
      ['hooli-prod', 'HEROKU_POSTGRESQL_CHARCOAL', null],
      ['hooli-reports', 'HOOLI_DB', null],
    ]);
    expect(everywhere.find((a) => a.app.name === 'hooli-reports')?.config_vars).toEqual(['HOOLI_DB_URL']);
  });

  it('lists the dynos with the one-off ones, and stops a one-off dyno for good', async () => {
    sandbox.sim.world.advance(10 * MINUTE); // hooli-prod's Scheduler job starts a one-off dyno
    const dynos = await platform().dynos('hooli-prod');
    expect(dynos.map((d) => d.type).sort()).toEqual(['scheduler', 'web', 'web', 'worker']);
    const job = dynos.find((d) => d.type === 'scheduler');
    await platform().stopDyno('hooli-prod', job?.name ?? '');
    expect((await platform().dynos('hooli-prod')).map((d) => d.name)).not.toContain(job?.name);
    expect(isNotFound(await herokuError(platform().stopDyno('hooli-prod', 'run.9999')))).toBe(true);
  });

  it("refuses a change on an app the token may only view with 403, and reads it", async () => {
    const reports = sandbox.sim.world.apps.get('hooli-reports');
    if (reports) reports.access = 'view';
    expect(await platform().formation('hooli-reports')).toHaveLength(2);
    expect(await herokuError(platform().setMaintenance('hooli-reports', true))).toMatchObject({ status: 403, id: 'forbidden' });
  });

  it('reads the remaining rate-limit tokens without spending one', async () => {
    const { remaining } = await platform().rateLimits();
    expect(remaining).toBeGreaterThan(0);
    expect((await platform().rateLimits()).remaining).toBeGreaterThanOrEqual(remaining);
  });
});
