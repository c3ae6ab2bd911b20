import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { MessageRef } from '../../../src/status/notifier.js';
import { VersionRadar, versionWarnings, type VersionNotifier, type VersionWarning } from '../../../src/status/versions/radar.js';
import { createTestStore, type TestStore } from '../../support/backends.js';
import { startSandbox, type Sandbox } from '../../support/simulated-heroku.js';
import { HealthWatcher } from '../../../src/status/health/watcher.js';
import { healthPolicy, RecordingHealthNotifier } from '../health/support.js';

const DAY = 24 * 3_600_000;

class RecordingVersionNotifier implements VersionNotifier {
  readonly warnings: Array<{ channel: string; warning: VersionWarning }> = [];
  async postVersionWarning(channel: string, warning: VersionWarning): Promise<MessageRef> {
    this.warnings.push({ channel, warning });
    return { channel, ts: `1700000000.${String(this.warnings.length).padStart(6, '0')}` };
  }
  told(): string[] {
    return this.warnings.map(({ warning }) => `${warning.database.app} ${warning.database.attachments.join(',')} ${warning.database.major} ${warning.lead}`);
  }
}

const APPS = { 'acme-prod': { channel: 'C0ACMEPROD' }, 'acme-staging': { channel: 'C0ACMESTAGING' }, 'globex-prod': { channel: 'C0GLOBEXPROD' } };

describe('the Postgres version radar on the simulated Heroku', () => {
  let heroku: Sandbox;
  let t: TestStore;
  let notifier: RecordingVersionNotifier;
  beforeAll(async () => {
    // A fixed date: which versions the table says are deprecated depends on it.
    heroku = await startSandbox({ startAt: Date.UTC(2026, 11, 4, 12) });
  });
  afterAll(() => heroku.close());
  beforeEach(async () => {
    heroku.sim.reset();
    await t?.dispose();
    t = await createTestStore('sqlite');
    notifier = new RecordingVersionNotifier();
  });

  const radarOn = (store = t.store, health: Record<string, unknown> = { versions: { every: '1m' } }) =>
    new VersionRadar({ store, clients: heroku.clients, notifier, apps: APPS, policy: healthPolicy(health), now: () => new Date(heroku.sim.world.clock.now()) });

  it('warns once about each database on a version past its forced-upgrade date by the cited table, offering the upgrade of Connect’s database', async () => {
    let radar = radarOn();
    await radar.tick();
    // Seeded in December 2026: 14 and 15 are past Heroku's forced-upgrade dates, 16 is not deprecated yet.
    expect(notifier.told().sort()).toEqual(['acme-prod DATABASE 15 overdue', 'globex-prod DATABASE 14 overdue', 'globex-prod HEROKU_POSTGRESQL_ONYX 14 overdue']);
    const acme = notifier.warnings.find((w) => w.warning.database.app === 'acme-prod')!;
    expect(acme.channel).toBe('C0ACMEPROD');
    expect(acme.warning.database).toMatchObject({
      version: expect.stringMatching(/^15\.\d+$/),
      deprecated: true,
      forcedUpgradesFrom: '2026-06-01',
      approximate: true,
      endOfLifeStated: 'Q3 2026',
      sources: expect.arrayContaining([expect.stringContaining('heroku-postgres-version-support')]),
      connectDatabase: true,
      fix: { runbook: 'upgrade', params: { app: 'acme-prod', version: 17, dryRun: true }, label: 'Plan upgrade to 17' },
    });
    // globex syncs ONYX: only that one is the upgrade runbook's to plan.
    const globex = notifier.warnings.filter((w) => w.warning.database.app === 'globex-prod').map((w) => `${w.warning.database.attachments.join(',')} ${w.warning.database.fix?.runbook ?? '-'}`);
    expect(globex.sort()).toEqual(['DATABASE -', 'HEROKU_POSTGRESQL_ONYX upgrade']);

    // Every tick after, and a restarted radar, say nothing more.
    heroku.sim.world.advance(2 * 60_000);
    await radar.tick();
    await radar.stop();
    radar = radarOn(await t.reopen());
    await radar.tick();
    expect(notifier.warnings).toHaveLength(3);
    expect((await versionWarnings(t.store)).map((d) => d.major).sort()).toEqual(['14', '14', '15']);
  });

  it('warns at each lead time before the date in Heroku’s Warning row, once each, across a restart', async () => {
    const health = { versions: { every: '1m', lead_times: ['90d', '30d', '7d', '1d'] } };
    let radar = radarOn(t.store, health);
    await radar.tick();
    const before = notifier.warnings.length;
    const aged = (await (await fetch(`${heroku.sim.url}/__sandbox/versions/16/deprecate`, { method: 'POST' })).json()) as { forcedUpgradesFrom: string };
    const forced = Date.parse(`${aged.forcedUpgradesFrom.slice(0, 10)}T00:00:00Z`);
    const staging = () => notifier.warnings.slice(before).filter((w) => w.warning.database.major === '16').map((w) => w.warning.lead);
    const at = async (time: number) => {
      heroku.sim.world.advance(time - heroku.sim.world.clock.now());
      await radar.tick();
      heroku.sim.world.advance(2 * 60_000);
      await radar.tick();
    };
    // The deprecation itself is news, once; then each lead time.
    await at(heroku.sim.world.clock.now() + 60_000);
    expect(staging()).toEqual(['deprecated']);
    await at(forced - 90 * DAY - 3_600_000);
    expect(staging()).toEqual(['deprecated']);
    await at(forced - 90 * DAY + 3_600_000);
    expect(staging()).toEqual(['deprecated', '90d']);
    expect(notifier.warnings.at(-1)?.warning.database).toMatchObject({ app: 'acme-staging', basis: "Heroku's Warning row", herokuWarning: expect.stringContaining('Postgres 16 is deprecated'), fix: null });
    await at(forced - 30 * DAY + 3_600_000);
    await radar.stop();
    radar = radarOn(await t.reopen(), health);
    await at(forced - 30 * DAY + 7_200_000);
    await at(forced - 7 * DAY + 3_600_000);
    await at(forced - DAY + 3_600_000);
    await at(forced + 3_600_000);
    await at(forced + 2 * DAY);
    expect(staging()).toEqual(['deprecated', '90d', '30d', '7d', '1d', 'overdue']);
    await radar.stop();
  });

  it('keeps quiet when `postgres_version` is muted (App Home still has the readings), and with a digest lists its warnings in it instead', async () => {
    const muted = radarOn(t.store, { versions: { every: '1m' }, mute: ['postgres_version'] });
    expect((await muted.tick()).read).toHaveLength(3);
    expect(notifier.warnings).toEqual([]);
    expect((await versionWarnings(t.store)).map((d) => d.app).sort()).toEqual(['acme-prod', 'globex-prod', 'globex-prod']);

    // Unmuted, with a daily digest: nothing of its own; the health watcher's digest carries each warning once.
    heroku.sim.world.advance(2 * 60_000);
    const digest = { versions: { every: '1m' }, digest: '00:00' };
    await radarOn(t.store, digest).tick();
    expect(notifier.warnings).toEqual([]);
    const health = new RecordingHealthNotifier();
    const watcher = new HealthWatcher({ store: t.store, clients: heroku.clients, notifier: health, apps: APPS, policy: healthPolicy(digest), runActive: async () => false, now: () => new Date(heroku.sim.world.clock.now()) });
    await watcher.tick();
    expect(health.digests.map((d) => [d.channel, d.digest.versions.map((w) => `${w.database.major} ${w.lead}`)]).sort()).toEqual([
      ['C0ACMEPROD', ['15 overdue']],
      ['C0GLOBEXPROD', ['14 overdue', '14 overdue']],
    ]);
    await watcher.stop();
  });

  it('reads each app at most every `versions.every`, in any replica (the store keeps when it read)', async () => {
    const radar = radarOn(t.store, { versions: { every: '6h' } });
    expect((await radar.tick()).read.sort()).toEqual(['acme-prod', 'acme-staging', 'globex-prod']);
    heroku.sim.world.advance(60 * 60_000);
    expect((await radar.tick()).read).toEqual([]);
    // Another process (the queue's cron may give it the next tick) knows the apps were just read.
    expect((await radarOn(t.store, { versions: { every: '6h' } }).tick()).read).toEqual([]);
    heroku.sim.world.advance(6 * 60 * 60_000);
    expect((await radar.tick()).read).toHaveLength(3);
  });
});
