import { api } from '../../heroku/calls.js';
import { canFollow, infoRow } from '../../heroku/data.js';
import { isNotFound } from '../../heroku/errors.js';
import { isEssentialPlan, isPostgresAddOn } from '../../heroku/platform.js';
import type { Database } from '../../heroku/types.js';
import { read, type Ctx, type Fn } from '../deps.js';
import { record, required, type RecordedDatabase } from '../outputs.js';
import { shortPlan } from '../params.js';
import { StepFailed, type CheckResult, type WaitResult } from '../runbook.js';
import { readConnection } from './connection.js';

/**
 * The database Heroku Connect syncs to: the add-on behind the config var in the connection's
 * `db_key` (DATABASE_URL, or a custom one such as HEROKU_POSTGRESQL_ONYX_URL), and what the data API
 * says about it (docs/reference/heroku-platform-and-postgres-api.md, "Database info", "Followers
 * and Essential-tier limits", "wait_status").
 */

/** The Postgres major version from `postgres_version` (`15.12`) or the `PG Version` row. */
export function majorVersion(database: Pick<Database, 'postgres_version' | 'info'>): number | undefined {
  const text = database.postgres_version ?? infoRow(database, 'PG Version')?.[0];
  const major = Number.parseInt(text ?? '', 10);
  return Number.isFinite(major) ? major : undefined;
}

/**
 * Check: the config var in the connection's db_key belongs to a Heroku Postgres add-on of the app.
 * Records it, with its plan and version, for every later step.
 */
export const connectDatabaseFound: Fn<CheckResult> = read(
  [readConnection, api.platform.resolveAttachment, api.platform.addOn, api.data.database],
  async (ctx) => {
    const connection = await readConnection(ctx);
    const configVar = connection.db_key;
    if (!configVar) return { ok: false, reason: 'Heroku Connect has no database set (db_key).', next: 'Set it with `heroku connect:db:set`.' };
    const attachments = await ctx.deps.platform.resolveAttachment(ctx.app, configVar, { addonService: 'heroku-postgresql' }).catch((error: unknown) => {
      if (isNotFound(error)) return [];
      throw error;
    });
    const attachment = attachments.find((a) => a.app.name === ctx.app) ?? attachments[0];
    if (!attachment) {
      return {
        ok: false,
        reason: `Heroku Connect syncs to ${configVar}, which no Heroku Postgres add-on of ${ctx.app} provides.`,
        next: "Point Heroku Connect at the app's database with `heroku connect:db:set`, then start again.",
      };
    }
    const addOn = await ctx.deps.platform.addOn(ctx.app, attachment.addon.id);
    if (!isPostgresAddOn(addOn)) return { ok: false, reason: `${configVar} is not a Heroku Postgres database (${addOn.plan.name}).`, next: 'Nothing to upgrade here.' };
    const database = await ctx.deps.data.database(addOn.id);
    const version = majorVersion(database);
    if (version === undefined) return { ok: false, reason: `Heroku did not report the Postgres version of ${addOn.name}.`, next: 'Check `heroku pg:info`, then start again.' };
    const recorded: RecordedDatabase = { addonId: addOn.id, addonName: addOn.name, plan: addOn.plan.name, version, configVar };
    await record(ctx, 'database', recorded);
    return { ok: true };
  },
);

/** The recorded Connect database, read again from the data API. */
const readDatabase = (ctx: Ctx): Promise<Database> => ctx.deps.data.database(required(ctx, 'database').addonId);

/** Check: not an Essential-tier database (they have no followers and no prepared upgrades). */
export function notEssential(remedy: string): Fn<CheckResult> {
  return read([], async (ctx) => {
    const { plan, addonName } = required(ctx, 'database');
    if (!isEssentialPlan(plan)) return { ok: true };
    return { ok: false, reason: `${addonName} is on ${shortPlan(plan)}: Essential-tier databases have no followers and no prepared upgrades.`, next: remedy };
  });
}

/** Check: a leader, not itself a follower ("Followers cannot be chained"; followers are upgraded with their leader). */
export const isLeader: Fn<CheckResult> = read([api.data.database], async (ctx) => {
  const database = await readDatabase(ctx);
  if (!database.following) return { ok: true };
  return {
    ok: false,
    reason: `${database.name} is a follower: Heroku Connect should sync to the leader.`,
    next: 'Point Heroku Connect at the leader with `heroku connect:db:set`, or upgrade the leader.',
  };
});

/** Check: a follower can be created from the database now (`Fork/Follow: Available`). */
export const canCreateFollower: Fn<CheckResult> = read([api.data.database], async (ctx) => {
  const database = await readDatabase(ctx);
  if (canFollow(database)) return { ok: true };
  const row = infoRow(database, 'Fork/Follow')?.[0] ?? 'not reported';
  return {
    ok: false,
    reason: `${database.name} cannot get a follower now (Fork/Follow: ${row}).`,
    next: 'A database forked or unfollowed recently cannot be followed for a while: try again later.',
  };
});

/** Check: the requested version is newer than the database's. */
export function versionIsNewer(version: number | undefined): Fn<CheckResult> {
  return read([], async (ctx) => {
    const current = required(ctx, 'database').version;
    if (version === undefined || version > current) return { ok: true };
    return { ok: false, reason: `The database already runs Postgres ${current}; cannot upgrade to ${version}.`, next: 'Choose a newer --version.' };
  });
}

/** Check: pg:copy can move to the same or a newer Postgres version, never an older one. */
export function versionNotOlder(version: number | undefined): Fn<CheckResult> {
  return read([], async (ctx) => {
    const current = required(ctx, 'database').version;
    if (version === undefined || version >= current) return { ok: true };
    return { ok: false, reason: `The database runs Postgres ${current}; a copy cannot go back to ${version}.`, next: `Choose --version ${current} or newer.` };
  });
}

/** A database that is being provisioned answers 404 ("Waiting to provision..."), as `pg:wait` shows it. */
export async function waitStatusOf(ctx: Ctx, addonId: string): Promise<WaitResult> {
  try {
    const status = await ctx.deps.data.waitStatus(addonId);
    if (status['error?']) {
      throw new StepFailed(`Heroku Postgres reports an error: ${status.message}`, {
        next: 'Check the database with `heroku pg:info` and `heroku pg:wait`; open a Heroku support ticket if it stays in error.',
      });
    }
    return status['waiting?'] ? { done: false, progress: status.message } : { done: true };
  } catch (error) {
    if (isNotFound(error)) return { done: false, progress: 'Waiting to provision...' };
    throw error;
  }
}

/** Wait: the Connect database is available (after a plan change), as `pg:wait` reads it. */
export const databaseAvailable: Fn<WaitResult> = read([api.data.waitStatus], (ctx) => waitStatusOf(ctx, required(ctx, 'database').addonId));
