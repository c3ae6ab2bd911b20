import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { Consumers } from '../../../src/ops/runbooks/outputs.js';
import { startOneOff } from '../../../src/sandbox/heroku/world/dynos.js';
import { stepOf } from './support/connect-runs.js';
import { OPERATOR, startHarness, type Harness } from './support/harness.js';

const CHECK = 'Every consumer of the database is found, and every app that uses it can be changed';

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

  describe('refusals, before any change', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({ deps: { policyApps: ['acme-prod', 'hooli-prod'] } });
    });
    afterAll(() => h.close());
    beforeEach(() => h.sim.reset());

    for (const runbook of ['upgrade', 'upgrade-via-follower', 'copy']) {
      it(`${runbook}: refuses a database also attached to an app outside the policy`, async () => {
        const params = runbook === 'copy' ? { plan: 'heroku-postgresql:standard-2' } : { version: 17 };
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

    it('lets a database used only by apps of the policy through', async () => {
      const started = await h.start('upgrade', 'acme-prod', { version: 17 });
      const run = await h.waitFor(started.id, ['awaiting_approval']);
      expect(stepOf(run, CHECK).status).toBe('done');
      await h.engine.cancel({ runId: run.id, userId: OPERATOR });
    });
  });
});
