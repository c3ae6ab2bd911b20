import ms from 'ms';
import type { HealthPolicy } from '../../config.js';
import type { HerokuClients } from '../../ops/heroku/clients.js';
import type { Store } from '../../store/index.js';
import type { MessageRef } from '../notifier.js';
import type { StatusLog } from '../sources.js';
import { readDatabaseVersions, type DatabaseVersion } from './reading.js';
import { POSTGRES_VERSIONS, type VersionSupport } from './table.js';

/**
 * The Postgres version radar: reads each policy app's databases (at most every `versions.every`),
 * and warns the app's channel about a database on a deprecated version at each lead time before
 * Heroku upgrades it by force, each warning once (claimed in the store). When several lead times
 * are due at once (a first look, a deprecation learned late) only the closest speaks.
 */

/** One warning about one database. */
export interface VersionWarning {
  database: DatabaseVersion;
  /**
   * `deprecated` when the deprecation is first seen ("On the deprecation date, we send a deprecation
   * warning"), a lead time (`30d`), or `overdue` once forced upgrades have started.
   */
  lead: string;
  /** How long before the forced-upgrade date it is told; null when no date is known. */
  msBefore: number | null;
}

export interface VersionNotifier {
  postVersionWarning(channel: string, warning: VersionWarning): Promise<MessageRef>;
}

export interface VersionRadarOptions {
  store: Store;
  /** Heroku clients on the watchers' budget (watchLimits). */
  clients: Pick<HerokuClients, 'platform' | 'data' | 'connect'>;
  notifier: VersionNotifier;
  apps: Readonly<Record<string, { channel: string }>>;
  policy: HealthPolicy;
  now?: () => Date;
  log?: StatusLog;
  /** The version table (tests pass their own). */
  table?: readonly VersionSupport[];
}

export interface RadarTickResult {
  read: string[];
  failing: string[];
  warned: number;
}

export class VersionRadar {
  private readonly now: () => Date;
  private readonly lastRead = new Map<string, number>();
  private running: Promise<RadarTickResult> | undefined;

  constructor(private readonly options: VersionRadarOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** Waits for a tick under way (the schedule that calls tick() is stopped first). */
  async stop(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  tick(): Promise<RadarTickResult> {
    this.running ??= this.look().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async look(): Promise<RadarTickResult> {
    const result: RadarTickResult = { read: [], failing: [], warned: 0 };
    const now = this.now();
    for (const [app, { channel }] of Object.entries(this.options.apps)) {
      const last = await this.lastReadOf(app);
      if (last !== undefined && now.getTime() - last < this.options.policy.versions.every) continue;
      let databases: DatabaseVersion[];
      try {
        databases = await readDatabaseVersions(this.options.clients, app, now, this.options.table ?? POSTGRES_VERSIONS);
      } catch (error) {
        result.failing.push(app);
        this.options.log?.warn({ app, err: error }, 'cannot read the Postgres databases of an app; the radar tries again next tick');
        continue;
      }
      this.lastRead.set(app, now.getTime());
      result.read.push(app);
      await this.save(app, databases, now);
      // Muted, the readings still feed App Home; nothing is claimed, so unmuting tells what is due then.
      if (this.options.policy.mute.includes('postgres_version')) continue;
      for (const database of databases.filter((d) => d.deprecated)) result.warned += await this.warn(channel, database, now);
    }
    return result;
  }

  /** When the app was read last: by this process, or by any replica (its readings are in the store). */
  private async lastReadOf(app: string): Promise<number | undefined> {
    const known = this.lastRead.get(app);
    if (known !== undefined) return known;
    const row = await this.options.store.db.selectFrom('pg_versions').select((eb) => eb.fn.max('checked_at').as('at')).where('app', '=', app).executeTakeFirst();
    return row?.at ? Date.parse(String(row.at)) : undefined;
  }

  /** The latest reading of each database of the app (App Home shows them); databases gone are dropped. */
  private async save(app: string, databases: DatabaseVersion[], now: Date): Promise<void> {
    const { db } = this.options.store;
    await db.transaction().execute(async (tx) => {
      await tx.deleteFrom('pg_versions').where('app', '=', app).execute();
      if (databases.length === 0) return;
      await tx
        .insertInto('pg_versions')
        .values(databases.map((d) => ({ addon_id: d.addonId, app, data: JSON.stringify(d), checked_at: now.toISOString() })))
        .onConflict((oc) => oc.column('addon_id').doUpdateSet((eb) => ({ app: eb.ref('excluded.app'), data: eb.ref('excluded.data'), checked_at: eb.ref('excluded.checked_at') })))
        .execute();
    });
  }

  /** Tells the closest lead time that is due and not yet told; claims the others due with it silently. */
  private async warn(channel: string, database: DatabaseVersion, now: Date): Promise<number> {
    const due = dueWarnings(database, this.options.policy.versions.lead_times, now);
    const closest = due.at(-1);
    let told = 0;
    for (const warning of due) {
      if (!(await this.claim(database, warning.lead, now))) continue;
      if (warning !== closest) continue;
      // With a daily digest the warning waits for it, in its channel (the health watcher's digest lists it once).
      if (this.options.policy.digest) {
        await this.options.store.db
          .updateTable('version_warnings_sent')
          .set({ channel, ts: null })
          .where('addon_id', '=', database.addonId)
          .where('major', '=', database.major)
          .where('lead', '=', warning.lead)
          .execute();
        continue;
      }
      try {
        const ref = await this.options.notifier.postVersionWarning(channel, warning);
        await this.options.store.db
          .updateTable('version_warnings_sent')
          .set({ channel: ref.channel, ts: ref.ts })
          .where('addon_id', '=', database.addonId)
          .where('major', '=', database.major)
          .where('lead', '=', warning.lead)
          .execute();
        told += 1;
      } catch (error) {
        await this.release(database, warning.lead);
        this.options.log?.error({ err: error, app: database.app, addon: database.addonName }, 'could not post a version warning; the next reading tries again');
        this.lastRead.delete(database.app);
      }
    }
    return told;
  }

  private async claim(database: DatabaseVersion, lead: string, now: Date): Promise<boolean> {
    const result = await this.options.store.db
      .insertInto('version_warnings_sent')
      .values({ addon_id: database.addonId, major: database.major, lead, sent_at: now.toISOString(), channel: null, ts: null })
      .onConflict((oc) => oc.columns(['addon_id', 'major', 'lead']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  private async release(database: DatabaseVersion, lead: string): Promise<void> {
    await this.options.store.db
      .deleteFrom('version_warnings_sent')
      .where('addon_id', '=', database.addonId)
      .where('major', '=', database.major)
      .where('lead', '=', lead)
      .execute();
  }
}

/**
 * The warnings due now for a database on a deprecated version, farthest first: the deprecation
 * itself, then each lead time reached, then `overdue`.
 */
export function dueWarnings(database: DatabaseVersion, leadTimes: readonly string[], now: Date): VersionWarning[] {
  if (!database.forcedUpgradesFrom) return [{ database, lead: 'deprecated', msBefore: null }];
  const forced = Date.parse(`${database.forcedUpgradesFrom}T00:00:00Z`);
  const deprecation: VersionWarning = { database, lead: 'deprecated', msBefore: Math.max(0, forced - now.getTime()) };
  const leads = leadTimes
    .map((lead) => ({ lead, msBefore: ms(lead as ms.StringValue) as number }))
    .filter((l) => Number.isFinite(l.msBefore) && l.msBefore > 0)
    .sort((a, b) => b.msBefore - a.msBefore);
  const due: VersionWarning[] = [deprecation, ...leads.filter((l) => now.getTime() >= forced - l.msBefore).map((l) => ({ database, ...l }))];
  if (now.getTime() >= forced) due.push({ database, lead: 'overdue', msBefore: 0 });
  return due;
}

/** Version readings for App Home and the digest: databases on deprecated versions, soonest forced upgrade first. */
export async function versionWarnings(store: Store, apps?: readonly string[]): Promise<DatabaseVersion[]> {
  if (apps && apps.length === 0) return [];
  let query = store.db.selectFrom('pg_versions').select(['data']);
  if (apps) query = query.where('app', 'in', [...apps]);
  const readings = (await query.execute()).map((r) => JSON.parse(r.data) as DatabaseVersion).filter((d) => d.deprecated);
  return readings.sort((a, b) => (a.forcedUpgradesFrom ?? '9999').localeCompare(b.forcedUpgradesFrom ?? '9999'));
}

/** Warnings claimed for a channel's digest since `since` (no message of their own), with the database as last read. */
export async function digestVersionWarnings(store: Store, channel: string, since: Date): Promise<VersionWarning[]> {
  const rows = await store.db
    .selectFrom('version_warnings_sent')
    .innerJoin('pg_versions', 'pg_versions.addon_id', 'version_warnings_sent.addon_id')
    .select(['version_warnings_sent.lead', 'version_warnings_sent.sent_at', 'pg_versions.data'])
    .where('version_warnings_sent.channel', '=', channel)
    .where('version_warnings_sent.ts', 'is', null)
    .where('version_warnings_sent.sent_at', '>=', since.toISOString())
    .orderBy('version_warnings_sent.sent_at')
    .execute();
  return rows.map((r) => {
    const database = JSON.parse(r.data) as DatabaseVersion;
    const forced = database.forcedUpgradesFrom ? Date.parse(`${database.forcedUpgradesFrom}T00:00:00Z`) : null;
    return { database, lead: r.lead, msBefore: forced === null ? null : Math.max(0, forced - Date.parse(r.sent_at)) };
  });
}
