import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { Consumers } from '../../../src/ops/runbooks/outputs.js';
import type { TransitionPoint } from '../../../src/ops/engine/index.js';
import type { World } from '../../../src/sandbox/heroku/index.js';
import { attach } from '../../../src/sandbox/heroku/world/attachments.js';
import { startOneOff } from '../../../src/sandbox/heroku/world/dynos.js';
import { drive, stepOf } from './support/connect-runs.js';
import { APPROVER, OPERATOR, startHarness, type Harness } from './support/harness.js';

const CHECK = 'Every consumer of the database is found, and every app that uses it can be changed';
const UNCHANGED = 'The consumers are still those the approvers approved, and every app that uses the database can still be changed';

const appNamed = (world: World, name: string) => {
  const app = world.apps.get(name);
  if (!app) throw new Error(`seed: no ${name}`);
  return app;
};
/** hooli-prod's database (its DATABASE), as an add-on of the simulator. */
const hooliAddOn = (world: World) => {
  const hooli = appNamed(world, 'hooli-prod');
  const id = [...world.attachments.values()].find((a) => a.appId === hooli.id && a.name === 'DATABASE')?.addonId ?? '';
  const addon = world.addons.get(id);
  if (!addon) throw new Error('seed: no database on hooli-prod');
  return addon;
};

/**
 * Discovery at the start of every cutover (issue 10), on the seeded hooli-prod: the pool, a color
 * name as Connect's db_key, the database shared with hooli-reports, a Scheduler, an existing
 * follower and a release phase; and the refusals before any change.
 */
describe('consumers of the database a cutover replaces', () => {
  describe('discovery', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness();
    });
    afterAll(() => h.close());
    beforeEach(() => h.sim.reset());

    it('records every attachment on every app, the db_key, the follower, the Scheduler, one-off dynos, formations and the release phase', async () => {
      // Someone left a console open on the other app (Scheduler's dynos, 2 minutes long, pass too fast at this time scale to be seen).
      const reports = h.world.apps.get('hooli-reports');
      if (!reports) throw new Error('seed: no hooli-reports');
      startOneOff(h.world, reports, { command: 'bin/rails console', configVar: 'HOOLI_DB_URL' });
      const started = await h.start('upgrade', 'hooli-prod', { version: 17 });
      const run = await h.waitFor(started.id, ['awaiting_approval']);
      expect(stepOf(run, CHECK).status).toBe('done');
      const consumers = run.outputs.consumers as Consumers;
      const leader = [...h.world.attachments.values()].find((a) => a.name === 'DATABASE' && a.appId === h.world.apps.get('hooli-prod')?.id);
      expect(consumers.database.addonId).toBe(leader?.addonId);
      expect(consumers.attachments.map((a) => [a.app, a.name, a.namespace]).sort()).toEqual([
        ['hooli-prod', 'DATABASE', null],
        ['hooli-prod', 'DATABASE_CONNECTION_POOL', 'connection-pooling:default'],
        ['hooli-prod', 'HEROKU_POSTGRESQL_CHARCOAL', null],
        ['hooli-reports', 'HOOLI_DB', null],
      ]);
      expect(consumers.dbKey).toBe('HEROKU_POSTGRESQL_CHARCOAL_URL');
      expect(consumers.followers).toEqual([{ app: 'hooli-prod', addonName: expect.stringMatching(/^postgresql-/) }]);
      expect(consumers.otherFollowers).toBe(0);
      expect(consumers.schedulers).toEqual([{ app: 'hooli-prod', addonName: expect.stringMatching(/^scheduler-/) }]);
      expect(consumers.oneOffDynos).toContainEqual({ app: 'hooli-reports', name: expect.stringMatching(/^run\.\d+$/), type: 'run', command: 'bin/rails console' });
      // The Scheduler's job may be running too at this time scale: its dynos are listed like any one-off.
      for (const other of consumers.oneOffDynos.filter((d) => d.type !== 'run')) {
        expect(other).toEqual({ app: 'hooli-prod', name: expect.stringMatching(/^scheduler\.\d+$/), type: 'scheduler', command: 'bin/rake invoices:send' });
      }
      expect(consumers.formations).toEqual(
        expect.arrayContaining([
          { app: 'hooli-prod', processes: expect.arrayContaining([{ type: 'web', quantity: 2 }, { type: 'worker', quantity: 1 }, { type: 'release', quantity: 0 }]) },
          { app: 'hooli-reports', processes: expect.arrayContaining([{ type: 'web', quantity: 1 }, { type: 'worker', quantity: 1 }]) },
        ]),
      );
      expect(consumers.releasePhase).toEqual(['hooli-prod']);
      await h.engine.cancel({ runId: run.id, userId: OPERATOR });
    });

    it('finds the one attachment of a plain app and nothing else', async () => {
      const started = await h.start('upgrade', 'acme-prod', { version: 17 });
      const run = await h.waitFor(started.id, ['awaiting_approval']);
      const consumers = run.outputs.consumers as Consumers;
      expect(consumers).toMatchObject({ attachments: [{ app: 'acme-prod', name: 'DATABASE', namespace: null }], dbKey: 'DATABASE_URL', followers: [], schedulers: [], oneOffDynos: [], releasePhase: ['acme-prod'] });
      await h.engine.cancel({ runId: run.id, userId: OPERATOR });
    });
  });

  describe('the plan hash', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness();
    });
    afterAll(() => h.close());

    it('binds the consumers found before the approval: an approval of the plan alone is refused', async () => {
      const started = await h.start('upgrade', 'hooli-prod', { version: 17 });
      const run = await h.waitFor(started.id, ['awaiting_approval']);
      const planOnly = h.engine.plan('upgrade', { version: 17 }, 'hooli-prod').hash;
      expect(started.planHash).toBe(planOnly);
      expect(run.planHash).not.toBe(planOnly);
      const stale = await h.engine.approve({ runId: run.id, userId: APPROVER, planHash: planOnly });
      expect(stale.outcome).toBe('plan_changed');
      const bound = await h.engine.approve({ runId: run.id, userId: APPROVER, planHash: run.planHash });
      expect(bound.outcome).toBe('approved');
      await h.engine.cancel({ runId: run.id, userId: OPERATOR });
    });
  });

  describe('found again right before the cutover', () => {
    let h: Harness;
    let hook: ((point: TransitionPoint, runId: string, stepIdx: number) => void) | undefined;
    beforeAll(async () => {
      h = await startHarness({ engine: { onTransition: (...args) => hook?.(...args) } });
    });
    afterAll(() => h.close());
    beforeEach(() => {
      hook = undefined;
      h.sim.reset();
    });

    const cases: Array<{ what: string; change: (world: World) => void; message: RegExp; next: RegExp }> = [
      {
        what: 'another app attached the database',
        change: (world) => void attach(world, { addon: hooliAddOn(world), app: appNamed(world, 'acme-prod'), name: 'HOOLI_DB', confirm: 'acme-prod' }),
        message: /changed since the plan was approved: new attachment HOOLI_DB on acme-prod\b/,
        next: /Start the runbook again for a new plan/,
      },
      {
        what: 'someone opened a console on the other app',
        change: (world) => void startOneOff(world, appNamed(world, 'hooli-reports'), { command: 'bin/rails console', configVar: 'HOOLI_DB_URL' }),
        message: /one-off dyno run\.\d+ on hooli-reports \(bin\/rails console\) started since/,
        next: /Start the runbook again for a new plan/,
      },
      {
        what: 'the token may only view the other app now',
        change: (world) => {
          appNamed(world, 'hooli-reports').access = 'view';
        },
        message: /^Before the cutover: .*hooli-reports, which this Heroku token may not change \(403\)/,
        next: /--permissions deploy,operate/,
      },
    ];
    for (const c of cases) {
      it(`upgrade: stops before any change when ${c.what} after the approval`, async () => {
        const checkIdx = h.engine.plan('upgrade', { version: 17 }, 'hooli-prod').steps.findIndex((s) => s.title === UNCHANGED);
        let before = -1;
        hook = (point, _runId, stepIdx) => {
          if (point !== 'before_step' || stepIdx !== checkIdx) return;
          hook = undefined;
          c.change(h.world);
          before = h.mutations().length;
        };
        const run = await drive(h, (await h.start('upgrade', 'hooli-prod', { version: 17 })).id);
        expect(run.status).toBe('failed');
        expect(run.error).toMatchObject({ code: 'check_failed', stepTitle: UNCHANGED, message: expect.stringMatching(c.message) });
        expect(run.error?.next).toMatch(c.next);
        // The Scheduler jobs were disabled by hand for this run: the remedy says how they come back.
        expect(run.error?.next).toContain('enable them again');
        // Nothing after the approval changed anything: writes never stopped.
        expect(before).toBeGreaterThanOrEqual(0);
        expect(h.mutations().slice(before)).toEqual([]);
        expect(appNamed(h.world, 'hooli-prod').maintenance).toBe(false);
        expect(appNamed(h.world, 'hooli-reports').maintenance).toBe(false);
        expect(run.downtime ?? null).toBeNull();
        // The consumers recorded are those approved, not the ones found at the end.
        expect((run.outputs.consumers as Consumers).attachments.map((a) => a.app)).not.toContain('acme-prod');
      });
    }

    it('copy: refuses a name attached through a credential, which the new database cannot take', async () => {
      const hooli = appNamed(h.world, 'hooli-prod');
      const credential = attach(h.world, { addon: hooliAddOn(h.world), app: hooli, name: 'HOOLI_ANALYST', namespace: 'credential:analyst' });
      try {
        const run = await h.run('copy', 'hooli-prod', { plan: 'heroku-postgresql:standard-2' });
        expect(run.error).toMatchObject({ code: 'check_failed', stepTitle: CHECK, message: expect.stringContaining('HOOLI_ANALYST on hooli-prod (credential:analyst)') });
        expect(run.error?.next).toContain('--via follower');
        expect(h.mutations()).toEqual([]);
      } finally {
        h.world.attachments.delete(credential.id);
      }
    });
  });

  describe('refusals, before any change', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({ deps: { policyApps: ['acme-prod', 'hooli-prod'] } });
    });
    afterAll(() => h.close());
    beforeEach(() => h.sim.reset());

    const PARAMS: Record<string, Record<string, unknown>> = {
      upgrade: { version: 17 },
      'upgrade-via-follower': { version: 17 },
      'plan-change-via-follower': { plan: 'heroku-postgresql:standard-2' },
      copy: { plan: 'heroku-postgresql:standard-2' },
      'add-column': { object: 'Account', fields: ['Region__c'] },
    };
    for (const [runbook, params] of Object.entries(PARAMS)) {
      it(`${runbook}: refuses a database also attached to an app outside the policy`, async () => {
        const run = await h.run(runbook, 'hooli-prod', params);
        expect(run.status).toBe('failed');
        expect(run.error).toMatchObject({ code: 'check_failed', stepTitle: CHECK, message: expect.stringContaining('hooli-reports, which the policy does not name') });
        expect(run.error?.next).toContain('Add hooli-reports under `apps:` in the policy');
        expect(h.mutations()).toEqual([]);
      });
    }

    it('refuses a database attached to an app the token may only view (403), naming the permission to grant', async () => {
      const reports = h.world.apps.get('hooli-reports');
      if (!reports) throw new Error('seed: no hooli-reports');
      reports.access = 'view';
      const run = await h.run('upgrade-via-follower', 'hooli-prod', { version: 17 });
      expect(run.status).toBe('failed');
      expect(run.error).toMatchObject({ stepTitle: CHECK, message: expect.stringContaining('hooli-reports, which this Heroku token may not change (403)') });
      expect(run.error?.next).toContain('--permissions deploy,operate');
      expect(h.mutations()).toEqual([]);
    });

    it('refuses a database attached to an app the token cannot see (404 not_found), naming the access to grant', async () => {
      const reports = appNamed(h.world, 'hooli-reports');
      reports.access = 'none';
      try {
        const run = await h.run('upgrade-via-follower', 'hooli-prod', { version: 17 });
        expect(run.status).toBe('failed');
        expect(run.error).toMatchObject({ stepTitle: CHECK, message: expect.stringContaining('hooli-reports, which this Heroku token cannot see (404 not_found)') });
        expect(run.error?.next).toContain('heroku access:add USER --app APP --permissions deploy,operate');
        expect(h.mutations()).toEqual([]);
      } finally {
        reports.access = 'full';
      }
    });

    it('lets a database used only by apps of the policy through', async () => {
      const started = await h.start('upgrade', 'acme-prod', { version: 17 });
      const run = await h.waitFor(started.id, ['awaiting_approval']);
      expect(stepOf(run, CHECK).status).toBe('done');
      await h.engine.cancel({ runId: run.id, userId: OPERATOR });
    });
  });
});
