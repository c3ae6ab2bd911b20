import { infoRow } from '../../ops/heroku/data.js';
import { HerokuApiError } from '../../ops/heroku/errors.js';
import type { HerokuClients } from '../../ops/heroku/clients.js';
import { isEssentialPlan, isPostgresAddOn } from '../../ops/heroku/platform.js';
import type { Fix } from '../health/incident.js';
import { deprecatedBy, majorOf, newestSupported, POSTGRES_VERSIONS, supportOf, type VersionSupport } from './table.js';

/**
 * The version radar's reading of one database: its version (`PG Version`), what Heroku says about
 * it (`Warning`), and, from the table and that warning, whether the version is deprecated and from
 * when Heroku upgrades it by force. Plain text; the bot escapes it.
 */
export interface DatabaseVersion {
  app: string;
  addonId: string;
  addonName: string;
  /** `standard-0` */
  plan: string;
  /** `DATABASE`, `HEROKU_POSTGRESQL_ONYX` */
  attachments: string[];
  /** The database Heroku Connect syncs into (its db_key). */
  connectDatabase: boolean;
  /** `15.12` as `PG Version` says. */
  version: string;
  major: string;
  /** Heroku's `Warning` row, verbatim; null when there is none. */
  herokuWarning: string | null;
  deprecated: boolean;
  /** From when Heroku upgrades it by force (ISO day); null when not known. */
  forcedUpgradesFrom: string | null;
  /** `Heroku's Warning row`, or the table's stated end of life. */
  basis: string;
  approximate: boolean;
  endOfLifeStated: string | null;
  sources: readonly string[];
  /** The upgrade runbook planned with a test upgrade first, for Connect's Standard-tier (or higher) leader. */
  fix: Fix | null;
  checkedAt: string;
}

const watch = { priority: 'read' } as const;
/** "… by force on or after 2027-05-04 …": a date in Heroku's warning. */
const WARNING_DATE = /\b(\d{4}-\d{2}-\d{2})\b|\b((?:January|February|March|April|May|June|July|August|September|October|November|December) \d{1,2}, \d{4})\b/;

function warningDate(warning: string): string | null {
  const match = WARNING_DATE.exec(warning);
  const text = match?.[1] ?? match?.[2];
  if (!text) return null;
  const date = new Date(match?.[1] ? `${text}T00:00:00Z` : `${text} UTC`);
  return Number.isNaN(date.getTime()) ? null : date.toISOString().slice(0, 10);
}

export async function readDatabaseVersions(
  clients: Pick<HerokuClients, 'platform' | 'data' | 'connect'>,
  app: string,
  now: Date,
  table: readonly VersionSupport[] = POSTGRES_VERSIONS,
): Promise<DatabaseVersion[]> {
  const [addOns, attachments, dbKey] = await Promise.all([clients.platform.addOns(app, watch), clients.platform.attachments(app, watch), connectDbKey(clients, app)]);
  const readings: DatabaseVersion[] = [];
  for (const addOn of addOns.filter(isPostgresAddOn)) {
    let database;
    try {
      database = await clients.data.database(addOn.id, watch);
    } catch (error) {
      if (error instanceof HerokuApiError && error.reason === 'not_found') continue; // not provisioned yet
      throw error;
    }
    // A follower runs its leader's version and is upgraded with it.
    if (database.following) continue;
    const version = infoRow(database, 'PG Version')?.[0] ?? database.postgres_version ?? '';
    const major = majorOf(version);
    if (!major) continue;
    const names = attachments.filter((a) => a.addon.id === addOn.id).map((a) => a.name);
    const herokuWarning = infoRow(database, 'Warning')?.join(' ').trim() || null;
    const row = supportOf(major, table);
    const fromWarning = herokuWarning ? warningDate(herokuWarning) : null;
    const deprecated = Boolean(herokuWarning) || (row ? deprecatedBy(row, now) : false);
    const plan = addOn.plan.name.replace(/^heroku-postgresql:/, '');
    const connectDatabase = dbKey !== null && names.some((n) => `${n}_URL` === dbKey);
    const target = newestSupported(now, table);
    readings.push({
      app,
      addonId: addOn.id,
      addonName: addOn.name,
      plan,
      attachments: names,
      connectDatabase,
      version,
      major,
      herokuWarning,
      deprecated,
      forcedUpgradesFrom: fromWarning ?? (deprecated ? (row?.forcedUpgradesFrom ?? null) : null),
      basis: fromWarning ? "Heroku's Warning row" : row?.endOfLifeStated ? `end of life ${row.endOfLifeStated}` : 'no date known',
      approximate: !fromWarning && Boolean(row?.approximate),
      endOfLifeStated: row?.endOfLifeStated ?? null,
      sources: fromWarning ? ['pg:info Warning row'] : (row?.sources ?? []),
      // pg:upgrade in place (and its dry run) is for Standard-tier and higher leaders; the runbook upgrades Connect's database.
      fix:
        deprecated && connectDatabase && !isEssentialPlan(plan) && target && Number(target) > Number(major)
          ? { runbook: 'upgrade', params: { app, version: Number(target), dryRun: true }, label: `Plan upgrade to ${target}` }
          : null,
      checkedAt: now.toISOString(),
    });
  }
  return readings;
}

/** The config var Heroku Connect syncs into, or null when the app has no connection to read. */
async function connectDbKey(clients: Pick<HerokuClients, 'connect'>, app: string): Promise<string | null> {
  try {
    return (await clients.connect.findConnection(app, watch)).db_key ?? null;
  } catch (error) {
    if (error instanceof HerokuApiError && ['no_connection', 'multiple_connections', 'not_found'].includes(error.reason)) return null;
    throw error;
  }
}
