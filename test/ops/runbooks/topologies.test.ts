import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { RunView, TransitionPoint } from '../../../src/ops/engine/index.js';
import type { Consumers } from '../../../src/ops/runbooks/outputs.js';
import type { World } from '../../../src/sandbox/heroku/index.js';
import { attach } from '../../../src/sandbox/heroku/world/attachments.js';
import { setDatabase } from '../../../src/sandbox/heroku/world/connections.js';
import { resolveConfigVar } from '../../../src/sandbox/heroku/world/writers.js';
import { drive, stepOf } from './support/connect-runs.js';
import { crashAtEveryTransition, crashMidEveryMutation, transitionsOf } from './support/crash.js';

type Hook = (point: TransitionPoint, runId: string, stepIdx: number) => void;
import { CHANGEOVER_TIME_SCALE, connectionOf, lines, startHarness, why, type Harness } from './support/harness.js';

/**
 * The cutovers on hooli-prod (issue 10, "Move every name"; src/sandbox/heroku/world/seed.ts): its
 * database is DATABASE, HEROKU_POSTGRESQL_CHARCOAL (Heroku Connect's db_key) and the pool
 * DATABASE_CONNECTION_POOL in `connection-pooling:default`, and hooli-reports attaches it
 * `--as HOOLI_DB`; a release phase runs on every attach and detach, and a follower reads it. After
 * each run every one of those names, on both apps, names the new database; Connect syncs it; the old
 * database keeps only the run's name; each mutation is sent once; and the summary says how to
 * recreate the follower.
 */

const VERIFY = 'Every name that named the old database names the new one, on every app, and Heroku Connect syncs it';
const HOOLI_NAMES = [
  ['hooli-prod', 'DATABASE', null],
  ['hooli-prod', 'DATABASE_CONNECTION_POOL', 'connection-pooling:default'],
  ['hooli-prod', 'HEROKU_POSTGRESQL_CHARCOAL', null],
  ['hooli-reports', 'HOOLI_DB', null],
];

const tagOf = (run: RunView) => run.id.replace(/[^a-zA-Z0-9]/g, '').slice(0, 8);
const appNamed = (world: World, name: string) => {
  const app = world.apps.get(name);
  if (!app) throw new Error(`no app ${name}`);
  return app;
};
const nameOn = (world: World, app: string, name: string) => [...world.attachments.values()].find((a) => a.appId === appNamed(world, app).id && a.name === name);

/** The requests that attached something, with their bodies: one per name, never twice. */
const attachRequests = (h: Harness) =>
  h.mutations()
    .filter((r) => r.method === 'POST' && r.path === '/addon-attachments')
    .map((r) => r.body as { addon: string; app: string; name: string; namespace?: string | null; confirm: string });

function expectEveryNameMoved(h: Harness, run: RunView, old: string): string {
  expect(why(run)).toBe('succeeded');
  const consumers = run.outputs.consumers as Consumers;
  expect(consumers.attachments.map((a) => [a.app, a.name, a.namespace])).toEqual(HOOLI_NAMES);
  const promoted = nameOn(h.world, 'hooli-prod', 'DATABASE');
  const newId = promoted?.addonId ?? '';
  expect(newId).not.toBe(old);
  // Every name on every app names the new database, in its namespace.
  for (const [app, name, namespace] of HOOLI_NAMES) expect(nameOn(h.world, app as string, name as string)).toMatchObject({ addonId: newId, namespace });
  // The old database keeps the run's name only.
  expect([...h.world.attachments.values()].filter((a) => a.addonId === old).map((a) => a.name)).toEqual([`OLD_DATABASE_${tagOf(run).toUpperCase()}`]);
  // Heroku Connect kept its db_key, which names the new database: it syncs what the app uses.
  const connection = connectionOf(h.world, 'hooli-prod');
  expect(connection.dbKey).toBe('HEROKU_POSTGRESQL_CHARCOAL_URL');
  expect(resolveConfigVar(h.world, appNamed(h.world, 'hooli-prod'), connection.dbKey ?? '')).toBe(newId);
  expect(connection.mappings.every((m) => m.state === 'DATA_SYNCED')).toBe(true);
  expect(run.outputs.cutover).toEqual({ via: 'promote', dbKey: 'HEROKU_POSTGRESQL_CHARCOAL_URL', newDbKey: 'HEROKU_POSTGRESQL_CHARCOAL_URL' });
  expect(stepOf(run, "Point Heroku Connect's db_key at the new database (connect:db:set)").status).toBe('skipped');
  expect(stepOf(run, VERIFY).status).toBe('done');

  // Each name attached once: the old database's own name, the promote, then the others (pool with its namespace, the other app).
  const newName = h.world.addons.get(newId)?.name;
  expect(attachRequests(h).map((b) => [b.addon, b.app, b.name, b.namespace ?? null, b.confirm])).toEqual([
    [h.world.addons.get(old)?.name, 'hooli-prod', `OLD_DATABASE_${tagOf(run).toUpperCase()}`, null, 'hooli-prod'],
    [newName, 'hooli-prod', 'DATABASE', null, 'hooli-prod'],
    [newName, 'hooli-prod', 'DATABASE_CONNECTION_POOL', 'connection-pooling:default', 'hooli-prod'],
    [newName, 'hooli-prod', 'HEROKU_POSTGRESQL_CHARCOAL', null, 'hooli-prod'],
    [newName, 'hooli-reports', 'HOOLI_DB', null, 'hooli-reports'],
  ]);
  expect(lines(h.mutations()).filter((l) => /^PATCH \/api\/v3\/connections\//.test(l))).toEqual([]);

  // The release phase ran for every attach and detach before writes resumed.
  const hooli = appNamed(h.world, 'hooli-prod');
  const baseline = (run.outputs.releaseBaseline as Record<string, number>)['hooli-prod'] ?? 0;
  const ours = hooli.releases.filter((r) => r.version > baseline && /^(Attach|Detach) /.test(r.description));
  expect(ours.length).toBeGreaterThanOrEqual(7);
  expect(ours.every((r) => r.status === 'succeeded')).toBe(true);
  const released = Math.max(...ours.map((r) => r.createdAt));
  const resumedAt = Date.parse(h.sim.requests().find((r) => r.method === 'PATCH' && r.path === '/apps/hooli-prod' && (r.body as { maintenance?: boolean }).maintenance === false)?.at ?? '');
  expect(resumedAt).toBeGreaterThan(released);

  // No writer of hooli-prod wrote to the old database after the promote; no writer at all once the names moved.
  const promotedAt = Date.parse(h.sim.requests().find((r) => r.path === '/addon-attachments' && (r.body as { name?: string }).name === 'DATABASE')?.at ?? '');
  const movedAt = Date.parse(h.sim.requests().filter((r) => r.path === '/addon-attachments' && r.method === 'POST').at(-1)?.at ?? '');
  const wroteOld = (from: number) => h.world.writeLedger.writersOf(old, from).map((e) => `${e.app}/${e.writer}`);
  expect(wroteOld(promotedAt).filter((w) => w.startsWith('hooli-prod/'))).toEqual([]);
  // hooli-reports' worker (HOOLI_DB_URL) is stopped by part 3 of issue 10 (stop every writer); until then it is proven from its name's move.
  expect(wroteOld(movedAt)).toEqual([]);

  // The follower of the old database still follows it: the summary says how to recreate it on the new one.
  const follower = consumers.followers[0];
  expect(follower).toBeDefined();
  expect(run.outputs.followUps).toEqual([
    expect.stringMatching(
      new RegExp(`^${follower?.addonName} on hooli-prod still follows the old database .*\`heroku addons:create heroku-postgresql:standard-0 --follow hooli-prod::\\w+_URL -a hooli-prod\`.*\`heroku addons:destroy ${follower?.addonName} -a hooli-prod\``),
    ),
  ]);
  return newId;
}

const hooliDatabase = (world: World) => nameOn(world, 'hooli-prod', 'DATABASE')?.addonId ?? '';

describe('cutovers on a database with a pool, custom names and another app', () => {
  describe('through a follower', () => {
    let h: Harness;
    let hook: Hook | undefined;
    beforeAll(async () => {
      h = await startHarness({ timeScale: CHANGEOVER_TIME_SCALE, engine: { onTransition: (...args) => hook?.(...args) } });
    });
    afterAll(() => h.close());
    beforeEach(() => {
      hook = undefined;
      h.sim.reset();
    });

    it('upgrade --via follower: every name on every app names the upgraded follower, Connect syncs it', async () => {
      const old = hooliDatabase(h.world);
      const run = await drive(h, (await h.start('upgrade-via-follower', 'hooli-prod', { version: 17 })).id);
      const newId = expectEveryNameMoved(h, run, old);
      expect(h.world.databases.get(newId)).toMatchObject({ version: 17, leaderId: undefined });
    });

    it('plan-change --via follower: the same, onto the new plan', async () => {
      const old = hooliDatabase(h.world);
      const run = await drive(h, (await h.start('plan-change-via-follower', 'hooli-prod', { plan: 'heroku-postgresql:standard-2' })).id);
      const newId = expectEveryNameMoved(h, run, old);
      expect(h.world.addons.get(newId)?.plan.name).toBe('heroku-postgresql:standard-2');
    });

    it('stops before writes resume when a name still names the old database, with the command that moves it', async () => {
      const old = hooliDatabase(h.world);
      const verifyIdx = h.engine.plan('upgrade-via-follower', { version: 17 }, 'hooli-prod').steps.findIndex((s) => s.title === VERIFY);
      // Someone attaches the old database on hooli-reports again while the run moves names.
      hook = (point, _runId, stepIdx) => {
        if (point !== 'before_step' || stepIdx !== verifyIdx) return;
        hook = undefined;
        const addon = h.world.addons.get(old);
        if (addon) attach(h.world, { addon, app: appNamed(h.world, 'hooli-reports'), name: 'HOOLI_DB', confirm: 'hooli-reports' });
      };
      const run = await drive(h, (await h.start('upgrade-via-follower', 'hooli-prod', { version: 17 })).id);
      expect(run.status).toBe('failed');
      const newName = h.world.addons.get(nameOn(h.world, 'hooli-prod', 'DATABASE')?.addonId ?? '')?.name ?? '';
      expect(run.error).toMatchObject({ code: 'check_failed', stepTitle: VERIFY, message: expect.stringContaining(`hooli-reports: HOOLI_DB_URL does not name ${newName}`) });
      expect(run.error?.message).toContain('Writes are still stopped');
      expect(run.error?.next).toContain(`\`heroku addons:attach ${newName} --as HOOLI_DB --confirm hooli-reports -a hooli-reports\``);
      expect(run.error?.next).toContain('`heroku maintenance:off -a hooli-prod`');
      // Writes stay off and Heroku Connect stays paused.
      expect(appNamed(h.world, 'hooli-prod').maintenance).toBe(true);
      expect(connectionOf(h.world, 'hooli-prod').state).toBe('PAUSED');
      expect(run.downtime?.endedAt).toBeNull();
    });
  });

  describe('through a new database', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness();
    });
    afterAll(() => h.close());
    beforeEach(() => h.sim.reset());

    it('plan-change --via copy: every name on every app names the copy, Connect syncs it', async () => {
      const old = hooliDatabase(h.world);
      const run = await drive(h, (await h.start('copy', 'hooli-prod', { plan: 'heroku-postgresql:standard-2' })).id);
      const newId = expectEveryNameMoved(h, run, old);
      expect(h.world.addons.get(newId)?.plan.name).toBe('heroku-postgresql:standard-2');
    });

    it('upgrade in place: no name moves, every name on every app still names the database, now upgraded, and Connect syncs it; each mutation once', async () => {
      const old = hooliDatabase(h.world);
      const run = await drive(h, (await h.start('upgrade', 'hooli-prod', { version: 17 })).id);
      expect(why(run)).toBe('succeeded');
      const consumers = run.outputs.consumers as Consumers;
      expect(consumers.attachments.map((a) => [a.app, a.name, a.namespace])).toEqual(HOOLI_NAMES);
      expect(consumers.followers).toHaveLength(1);
      for (const [app, name, namespace] of HOOLI_NAMES) expect(nameOn(h.world, app as string, name as string)).toMatchObject({ addonId: old, namespace });
      expect(h.world.databases.get(old)?.version).toBe(17);
      expect(attachRequests(h)).toEqual([]);
      const connection = connectionOf(h.world, 'hooli-prod');
      expect(connection.dbKey).toBe('HEROKU_POSTGRESQL_CHARCOAL_URL');
      expect(resolveConfigVar(h.world, appNamed(h.world, 'hooli-prod'), connection.dbKey ?? '')).toBe(old);
      expect(connection.mappings.every((m) => m.state === 'DATA_SYNCED')).toBe(true);
      // Each mutation of the upgrade once: prepare, run, pause and resume.
      const sent = lines(h.mutations());
      for (const once of [/\/upgrade\/prepare$/, /\/upgrade\/run$/, /\/actions\/pause$/, /\/actions\/resume$/]) expect(sent.filter((l) => once.test(l))).toHaveLength(1);
      // Nothing wrote to the database while it was upgraded: from the run to the first restart of a writer.
      const ran = Date.parse(h.sim.requests().find((r) => r.method === 'POST' && /\/upgrade\/run$/.test(r.path))?.at ?? '');
      const restarted = Date.parse(h.sim.requests().find((r) => r.method === 'PATCH' && /^\/apps\/hooli-(prod|reports)\/formation$/.test(r.path) && Date.parse(r.at) > ran)?.at ?? '');
      expect(restarted).toBeGreaterThan(ran);
      expect(h.world.writeLedger.writersOf(old, ran).filter((e) => e.at < restarted)).toEqual([]);
    });

    it('add-column: every name moves to the new database but the one the old connection keeps, and the new connection syncs it', async () => {
      // add-column promotes to DATABASE_URL: Heroku Connect on hooli-prod reads it here.
      setDatabase(h.world, connectionOf(h.world, 'hooli-prod'), { db_key: 'DATABASE_URL' });
      const old = hooliDatabase(h.world);
      const run = await drive(h, (await h.start('add-column', 'hooli-prod', { object: 'Account', fields: ['Region__c'] })).id);
      expect(why(run)).toBe('succeeded');
      const newId = hooliDatabase(h.world);
      expect(newId).not.toBe(old);
      for (const [app, name, namespace] of HOOLI_NAMES) expect(nameOn(h.world, app as string, name as string)).toMatchObject({ addonId: newId, namespace });
      const kept = `OLD_DATABASE_${tagOf(run).toUpperCase()}`;
      expect([...h.world.attachments.values()].filter((a) => a.addonId === old).map((a) => a.name)).toEqual([kept]);
      // The old connection keeps the old database (paused), under the run's name; the new one syncs DATABASE_URL.
      const hooli = appNamed(h.world, 'hooli-prod');
      const connections = [...h.world.connections.values()].filter((c) => c.appId === hooli.id).sort((a, b) => a.createdAt - b.createdAt);
      expect(connections.map((c) => [c.dbKey, c.state === 'PAUSED'])).toEqual([
        [`${kept}_URL`, true],
        ['DATABASE_URL', false],
      ]);
      expect(resolveConfigVar(h.world, hooli, 'DATABASE_URL')).toBe(newId);
      expect(stepOf(run, 'Every name that named the old database names the new one, on every app, and the new connection syncs it').status).toBe('done');
      expect(attachRequests(h).map((b) => `${b.app} ${b.name}`)).toEqual([
        `hooli-prod ${kept}`,
        'hooli-prod DATABASE',
        'hooli-prod DATABASE_CONNECTION_POOL',
        'hooli-prod HEROKU_POSTGRESQL_CHARCOAL',
        'hooli-reports HOOLI_DB',
      ]);
      const movedAt = Date.parse(h.sim.requests().filter((r) => r.path === '/addon-attachments' && r.method === 'POST').at(-1)?.at ?? '');
      expect(h.world.writeLedger.writersOf(old, movedAt)).toEqual([]);
    });
  });

  describe('under crashes', () => {
    let h: Harness | undefined;
    afterEach(async () => {
      await h?.close();
      h = undefined;
    });

    it('upgrade --via follower resumes after a crash at every step boundary and attaches each name once', async () => {
      const { crash, crashedAt } = crashAtEveryTransition();
      h = await startHarness({ timeScale: CHANGEOVER_TIME_SCALE, engine: { onTransition: crash.onTransition } });
      const old = hooliDatabase(h.world);
      const run = await drive(h, (await h.start('upgrade-via-follower', 'hooli-prod', { version: 17 })).id, { crash });
      expect([...crashedAt].sort()).toEqual(transitionsOf(run).sort());
      expectEveryNameMoved(h, run, old);
    }, 60_000);

    it('upgrade --via follower resumes after a crash in the middle of every attach and sends each one once', async () => {
      h = await startHarness({ timeScale: CHANGEOVER_TIME_SCALE });
      const mid = crashMidEveryMutation(h);
      const old = hooliDatabase(h.world);
      const run = await drive(h, (await h.start('upgrade-via-follower', 'hooli-prod', { version: 17 })).id, { crash: mid.crash });
      // Five attaches (the old name, the promote, the three others moved in one step), each crashed right after Heroku took it, none sent twice.
      expect(mid.crashed.filter((c) => c === 'platform.createAttachment')).toHaveLength(5);
      expectEveryNameMoved(h, run, old);
    }, 60_000);
  });
});
