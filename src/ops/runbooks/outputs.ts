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
  /** add-column: the config var the old database keeps after the new one is promoted. */
  oldDatabaseConfigVar: string;
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

export type Cutover =
  /** Heroku Connect uses DATABASE_URL: promote the new database to it. */
  | { via: 'promote'; dbKey: 'DATABASE_URL' }
  /** Heroku Connect uses a custom config var: point its db_key at the new database's. */
  | { via: 'db_key'; dbKey: string; newDbKey: string };

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
