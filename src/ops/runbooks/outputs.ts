import type { ConnectionRef } from '../heroku/connect.js';
import type { ConnectConfiguration } from '../heroku/types.js';
import type { Ctx } from './deps.js';

/**
 * What runbook steps record for later steps (and for undo and rollback runs), by key. The engine
 * stores outputs as JSON; this module is the one place that reads them back with a type.
 */
export interface Outputs {
  /** The app's Heroku Connect connection, as the first check found it. */
  connection: RecordedConnection;
  /** The database Heroku Connect syncs to (the add-on behind its `db_key`). */
  database: RecordedDatabase;
  /** The add-on a runbook creates: named from the run id before it exists. */
  newDatabase: NewDatabase;
  /** The new add-on's id, once Heroku has answered (or a probe has looked it up by name). */
  newDatabaseId: string;
  /** Set just before the pause request: a connection draining into PAUSED shows POLLING_DB_CHANGES. */
  pauseRequested: boolean;
  /** The process types scaled to 0 and their quantities before, restored exactly afterwards. */
  formation: Array<{ type: string; quantity: number }>;
  /** How the new database reaches Heroku Connect, decided from its `db_key` at the cutover. */
  cutover: Cutover;
  /** The pg:copy transfer. */
  transfer: string;
  /** The app's Connect add-on as the run found it. */
  connectAddOn: ConnectAddOn;
  /** The Connect add-on this run creates: named from the run id before it exists. */
  newConnectAddOn: ConnectAddOn;
  /** Where the new connection lives, once discovery lists it. */
  newConnection: ConnectionRef;
  /** The export of the app's connection (docs/reference/heroku-connect-api.md, "Export / import file"): kept in the store and shown. */
  configuration: ConnectConfiguration;
  /** What an export does not carry, read from the connection before it goes. */
  settings: HandSettings;
  /** The newest release of each app with a release phase before the cutover's first attach (reads/names.ts). */
  releaseBaseline: Record<string, number>;
  /** What is left to do by hand after the run, with the commands: the run summary lists them. */
  followUps: string[];
  /** Every consumer of the database a cutover replaces, found before anything changes (reads/consumers.ts). */
  consumers: Consumers;
  /**
   * The other apps the database is attached to, as the run found them before stopping their writes:
   * maintenance mode and the non-web process types above 0, restored exactly afterwards (writers.ts).
   */
  otherApps: OtherAppBefore[];
  /** One-off dynos the run stopped (recorded before each stop, so a restart stops none twice). */
  stoppedDynos: Array<{ app: string; name: string; type: string }>;
}

export interface OtherAppBefore {
  app: string;
  /** Maintenance mode before the run: an app already in maintenance stays in it. */
  maintenance: boolean;
  /** Its non-web process types that were running, with their quantities. */
  formation: Array<{ type: string; quantity: number }>;
}

/**
 * Who uses the database a cutover replaces, as the APIs show it. What they cannot show (which
 * config var each process's code reads) is the run's assumption: every name that points at the
 * old database moves. Issue 10's later steps read this to move every name and stop every writer.
 */
export interface Consumers {
  /** The add-on being replaced. */
  database: { addonId: string; addonName: string };
  /** Every attachment of it, on every app (`DATABASE`, `DATABASE_CONNECTION_POOL` in `connection-pooling:default`, `HOOLI_DB`). */
  attachments: Array<{ app: string; name: string; namespace: string | null }>;
  /** The config var Heroku Connect syncs through (its `db_key`). */
  dbKey: string;
  /** Existing followers of it: by add-on name where an app of theirs is known, else counted. */
  followers: Array<{ addonName: string; app: string }>;
  /** Followers listed by the data API that no attached app shows (on apps the token does not see). */
  otherFollowers: number;
  /** Heroku Scheduler add-ons on the apps that use the database: their jobs run one-off dynos. */
  schedulers: Array<{ app: string; addonName: string }>;
  /** One-off dynos running now (`heroku run`, Scheduler jobs), on every app that uses the database. */
  oneOffDynos: Array<{ app: string; name: string; type: string; command: string | null }>;
  /** The process types of each app that uses the database, with their quantities. */
  formations: Array<{ app: string; processes: Array<{ type: string; quantity: number }> }>;
  /** Apps with a release phase: every attach and detach runs it (pg:promote waits for it). */
  releasePhase: string[];
}

export interface RecordedConnection {
  id: string;
  region_url: string;
  db_key: string | null;
  schema_name: string | null;
}

export interface RecordedDatabase {
  addonId: string;
  addonName: string;
  /** e.g. `heroku-postgresql:standard-0` */
  plan: string;
  /** The Postgres major version when the run started. */
  version: number;
  /** The config var Heroku Connect reads it from (`DATABASE_URL`, or a custom one). */
  configVar: string;
}

export interface NewDatabase {
  name: string;
  /** Attachment name; the config var is `<attachment>_URL`. */
  attachment: string;
  configVar: string;
  plan: string;
}

export interface ConnectAddOn {
  name: string;
  /** e.g. `herokuconnect:enterprise` */
  plan: string;
}

export interface HandSettings {
  apiVersion: string | null;
  features: Record<string, unknown>;
  /** Application logging (`logplex_log_enabled`); null when not reported. */
  logging?: boolean | null;
}

export interface Cutover {
  /** `promote`: the old database is the app's DATABASE, promote the new one; `db_key`: it is not. */
  via: 'promote' | 'db_key';
  /** Heroku Connect's db_key at the cutover. */
  dbKey: string;
  /**
   * The db_key Heroku Connect ends on: the same one when its name moves to the new database with
   * every other name (always, when it names an attachment of the old database on the app); else the
   * new database's config var, set with connect:db:set.
   */
  newDbKey: string;
}

export function output<K extends keyof Outputs>(ctx: Ctx, key: K): Outputs[K] | undefined {
  return ctx.outputs[key] as Outputs[K] | undefined;
}

/** A value an earlier step must have recorded; its absence is a bug in the runbook's order of steps. */
export function required<K extends keyof Outputs>(ctx: Ctx, key: K): Outputs[K] {
  const value = output(ctx, key);
  if (value === undefined) throw new Error(`No "${key}" was recorded by an earlier step`);
  return value;
}

export function record<K extends keyof Outputs>(ctx: Ctx, key: K, value: Outputs[K]): Promise<void> {
  return ctx.record(key, value);
}
