import type { DatabaseVersion, Incident } from '../status/health/index.js';

import type { PlannedConsumers } from '../ops/runbooks/reads/consumers.js';
/**
 * What the bot needs from the rest of connect-ops, passed in by the composition root so the bot
 * imports none of it: the live state of an app (from the Heroku clients), the maintenance windows
 * the watcher knows about, and names for suggestions.
 */

/** An app's Heroku Connect and Postgres state, as `/connect status` shows it. */
export interface AppStatus {
  app: string;
  /** The app's Heroku Connect connection; null when the app has none. */
  connection: {
    id: string;
    /** `IDLE`, `PAUSED`, ... as the Connect API spells them. */
    state: string;
    /** The config var of the database it syncs into, e.g. `DATABASE_URL`; null before `db:set`. */
    dbKey: string | null;
    schemaName: string | null;
  } | null;
  mappings: Array<{
    objectName: string;
    /** `DATA_SYNCED`, `RELOAD_TABLE`, ... */
    state: string;
    /** The Salesforce fields it maps. */
    fields?: string[];
    counts?: { db: number | null; sf: number | null; pending?: number; errors?: number };
  }>;
  databases: Array<{
    /** The add-on name, e.g. `postgresql-curly-12345`. */
    addon: string;
    /** Its attachments' config vars, e.g. `DATABASE_URL`, `HEROKU_POSTGRESQL_ONYX_URL`. */
    attachments: string[];
    /** e.g. `standard-0` */
    plan: string;
    /** Postgres major version, e.g. `16`. */
    version: string | null;
    /** e.g. `available`, or the wait status message. */
    status: string;
    /** The leader's add-on name when this database is a follower. */
    following: string | null;
    /** Follower lag in commits; null when unknown. */
    lagCommits: number | null;
  }>;
}

/** A Heroku Connect maintenance window the watcher knows about (the shape of src/status's `upcomingWindows`). */
export interface UpcomingWindow {
  id: string;
  title: string;
  /** Null when the notice states no time. */
  start: Date | null;
  end: Date | null;
  regions: string[];
  /** How sure the window's times are: `low` means something was assumed. */
  confidence: 'high' | 'low' | 'none';
  link: string | null;
}

export interface BotPorts {
  appStatus(app: string): Promise<AppStatus>;
  /** Announced windows that have not ended, soonest first. */
  upcomingWindows(): Promise<UpcomingWindow[]>;
  /** The runbooks the engine knows, to refuse and suggest before planning; all run commands when absent. */
  runbookNames?: readonly string[];
  /**
   * Plan-time discovery (read-only) of who uses the app's Connect database, for the plan card of a
   * runbook that cuts over; the card lists nothing when absent.
   */
  consumers?(app: string, runbook?: string): Promise<PlannedConsumers>;
  /** Heroku Postgres plan names for `plan-change` (`standard-0`, `premium-2`, ...); any name is accepted when absent. */
  planNames?: readonly string[];
  /** The same, read live from Heroku with a cache (plan-names.ts); undefined when it cannot be read, and planNames stands. */
  livePlanNames?(): Promise<readonly string[] | undefined>;
  /** Postgres major versions Heroku supports, oldest first: what the runbook form offers for `--version`. */
  postgresVersions?: readonly string[];
  /** What the health watcher and the version radar know, for App Home. */
  health?: {
    openIncidents(apps: readonly string[]): Promise<Incident[]>;
    versionWarnings(apps: readonly string[]): Promise<DatabaseVersion[]>;
  };
}
