import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { behindBy, canFollow, databaseStatus, infoRow, isAvailable } from '../../../src/ops/heroku/data.js';
import { isNotFound } from '../../../src/ops/heroku/errors.js';
import { isPostgresAddOn } from '../../../src/ops/heroku/platform.js';
import { herokuError } from './expect.js';
import { HOUR, MINUTE, startSandbox, type Sandbox } from '../../support/simulated-heroku.js';

const rows = (...entries: Array<[string, string[]]>) => ({ info: entries.map(([name, values]) => ({ name, values })) });

describe('pg:info rows', () => {
  it('reads follower lag from Behind By, and unknown lag as undefined, never 0', () => {
    expect(behindBy(rows(['Behind By', ['125 commits']]))).toBe(125);
    expect(behindBy(rows(['Behind By', ['1 commit']]))).toBe(1);
    expect(behindBy(rows(['Behind By', ['0 commits']]))).toBe(0);
    expect(behindBy(rows(['Status', ['Available']]))).toBeUndefined();
    expect(behindBy(rows(['Behind By', ['a lot']]))).toBeUndefined();
    expect(behindBy(rows(['Behind By', []]))).toBeUndefined();
  });

  it('reads Status case-insensitively and Fork/Follow availability', () => {
    expect(isAvailable(rows(['Status', ['available']]))).toBe(true);
    expect(isAvailable(rows(['Status', ['Temporarily Unavailable']]))).toBe(false);
    expect(databaseStatus(rows())).toBeUndefined();
    expect(canFollow(rows(['Fork/Follow', ['Available']]))).toBe(true);
    expect(canFollow(rows(['Fork/Follow', ['Unavailable on followers']]))).toBe(false);
    expect(infoRow(rows(['Followers', ['a', 'b']]), 'Followers')).toEqual(['a', 'b']);
  });
});

/** PostgresDataClient against the simulated Heroku. */
describe('PostgresDataClient (contract)', () => {
  let sandbox: Sandbox;
  const advance = (ms: number) => sandbox.sim.world.advance(ms);
  const databaseOf = async (app: string) => {
    const [attachment] = await sandbox.clients.platform.resolveAttachment(app, 'DATABASE_URL');
    if (!attachment) throw new Error(`${app} has no DATABASE_URL`);
    return attachment.addon.id;
  };
  const createFollower = async () => {
    const follower = await sandbox.clients.platform.createAddOn('acme-prod', { plan: 'heroku-postgresql:standard-0', config: { follow: 'DATABASE_URL' } });
    expect(isPostgresAddOn(follower)).toBe(true);
    return follower.id;
  };

  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  beforeEach(() => sandbox.sim.reset());
  afterAll(async () => {
    await sandbox.close();
  });

  it("reads a leader's info and wait status", async () => {
    const id = await databaseOf('acme-prod');
    const database = await sandbox.clients.data.database(id);
    expect(database).toMatchObject({ addon_id: id, plan: 'standard-0' });
    expect(database.postgres_version).toMatch(/^15/);
    expect(database.following ?? undefined).toBeUndefined();
    expect(isAvailable(database)).toBe(true);
    expect(behindBy(database)).toBeUndefined();
    expect(await sandbox.clients.data.waitStatus(id)).toMatchObject({ 'waiting?': false });
  });

  it('follows a new follower from not provisioned (404) to following with a lag, then unfollows it', async () => {
    const follower = await createFollower();
    expect(isNotFound(await herokuError(sandbox.clients.data.database(follower)))).toBe(true);
    expect(isNotFound(await herokuError(sandbox.clients.data.waitStatus(follower)))).toBe(true);

    advance(1 * HOUR);
    expect((await sandbox.clients.data.waitStatus(follower))['waiting?']).toBe(false);
    const info = await sandbox.clients.data.database(follower);
    expect(info.following).toMatch(/^postgres:\/\//);
    expect(behindBy(info)).toBeGreaterThan(0);

    await sandbox.clients.data.unfollow(follower);
    advance(5 * MINUTE);
    expect((await sandbox.clients.data.database(follower)).following ?? undefined).toBeUndefined();
  });

  it('prepares, inspects and cancels a version upgrade, and refuses to run one not prepared', async () => {
    const id = await databaseOf('acme-prod');
    const refused = await herokuError(sandbox.clients.data.upgradeRun(id, { version: '17' }));
    expect(refused).toMatchObject({ api: 'data', status: 400, reason: 'invalid' });
    expect(refused.message).toMatch(/pg:upgrade:prepare/);

    expect(await sandbox.clients.data.upgradePrepare(id, { version: '17' })).toMatch(/scheduled/i);
    expect(await sandbox.clients.data.upgradeWaitStatus(id)).toHaveProperty('message');
    expect(await sandbox.clients.data.upgradeCancel(id)).toMatch(/cancel/i);
  });

  it('starts a test upgrade, and runs a prepared one once it is ready', async () => {
    const id = await databaseOf('acme-prod');
    expect(await sandbox.clients.data.upgradeDryRun(id, { version: '17' })).toMatch(/test upgrade/i);
    await sandbox.clients.data.upgradePrepare(id, { version: '17' });
    advance(6 * HOUR);
    expect(await sandbox.clients.data.upgradeRun(id)).toMatch(/Started the upgrade/);
    advance(2 * HOUR);
    expect((await sandbox.clients.data.upgradeWaitStatus(id))['waiting?']).toBe(false);
    expect((await sandbox.clients.data.database(id)).postgres_version).toMatch(/^17/);
  });

  it('refuses upgrade prepare on an Essential database', async () => {
    const error = await herokuError(sandbox.clients.data.upgradePrepare(await databaseOf('acme-staging')));
    expect(error).toMatchObject({ status: 422, id: 'unprocessable_entity' });
  });

  it('copies a database with pg:copy and follows the transfer to its end', async () => {
    const target = await sandbox.clients.platform.createAddOn('acme-prod', { plan: 'heroku-postgresql:standard-0', attachmentName: 'COPY_TARGET' });
    advance(30 * MINUTE);
    const vars = await sandbox.clients.platform.configVars('acme-prod');
    const transfer = await sandbox.clients.data.createTransfer(target.id, {
      from_name: 'DATABASE',
      from_url: vars.DATABASE_URL ?? '',
      to_name: 'COPY_TARGET',
      to_url: vars.COPY_TARGET_URL ?? '',
    });
    expect(transfer.finished_at ?? undefined).toBeUndefined();
    advance(3 * HOUR);
    const done = await sandbox.clients.data.transfer('acme-prod', transfer.uuid, { verbose: true });
    expect(done).toMatchObject({ uuid: transfer.uuid, succeeded: true });
    expect(done.finished_at).toBeTruthy();
  });

  it("lists an app's transfers with their target, the way to find a copy whose answer was lost", async () => {
    expect(await sandbox.clients.data.transfers('acme-prod')).toEqual([]);
    const target = await sandbox.clients.platform.createAddOn('acme-prod', { plan: 'heroku-postgresql:standard-0', attachmentName: 'COPY_TARGET' });
    advance(30 * MINUTE);
    const vars = await sandbox.clients.platform.configVars('acme-prod');
    const copy = { from_name: 'DATABASE_URL', from_url: vars.DATABASE_URL ?? '', to_name: 'COPY_TARGET_URL', to_url: vars.COPY_TARGET_URL ?? '' };
    const first = await sandbox.clients.data.createTransfer(target.id, copy);
    const listed = await sandbox.clients.data.transfers('acme-prod');
    expect(listed).toEqual([expect.objectContaining({ uuid: first.uuid, from_name: 'DATABASE_URL', to_name: 'COPY_TARGET_URL', created_at: expect.any(String) })]);
    expect(listed[0]?.finished_at ?? undefined).toBeUndefined();
    expect(await sandbox.clients.data.transfers('acme-staging')).toEqual([]);
    const error = await herokuError(sandbox.clients.data.transfers('no-such-app'));
    expect(isNotFound(error)).toBe(true);
  });
});
