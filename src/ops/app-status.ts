import type { HerokuClients } from './heroku/clients.js';
import { HerokuApiError, isNotFound } from './heroku/errors.js';
import { isPostgresAddOn } from './heroku/platform.js';
import type { AddOn, Connection, Database } from './heroku/types.js';

/**
 * An app's Heroku Connect connection with its mappings, and its Postgres databases with plan,
 * version, status and follower lag: what `connect-ops status` and `/connect status` show. Read-only,
 * at `read` priority: after every run's steps, and within the reads' share of the Heroku budget.
 */

export interface AppStatus {
  app: string;
  /** The connection, or why there is none to show. */
  connection?: Connection;
  connectProblem?: string;
  databases: DatabaseStatus[];
}

export interface DatabaseStatus {
  addOn: AddOn;
  /** Attachment names on this app (`DATABASE`, `HEROKU_POSTGRESQL_WHITE`). */
  attachments: string[];
  /** The data API's view, or why it is missing (not provisioned yet...). */
  database?: Database;
  problem?: string;
  /** Config var names whose value is the leader's URL, for a follower. */
  following?: string[];
}

const interactive = { priority: 'read' } as const;

export async function appStatus(clients: HerokuClients, app: string, options: { resourceName?: string } = {}): Promise<AppStatus> {
  // The app lookup fails fast (unknown app, bad token) before the other calls go out.
  await clients.platform.app(app, interactive);
  const [connect, databases] = await Promise.all([connectionStatus(clients, app, options.resourceName), databaseStatuses(clients, app)]);
  return { app, ...connect, databases };
}

async function connectionStatus(clients: HerokuClients, app: string, resourceName?: string): Promise<Pick<AppStatus, 'connection' | 'connectProblem'>> {
  try {
    return { connection: await clients.connect.findConnection(app, { ...interactive, resourceName }) };
  } catch (error) {
    if (error instanceof HerokuApiError) return { connectProblem: error.message };
    throw error;
  }
}

async function databaseStatuses(clients: HerokuClients, app: string): Promise<DatabaseStatus[]> {
  const [addOns, attachments] = await Promise.all([clients.platform.addOns(app, interactive), clients.platform.attachments(app, interactive)]);
  const postgres = addOns.filter(isPostgresAddOn);
  const statuses = await Promise.all(
    postgres.map(async (addOn): Promise<DatabaseStatus> => {
      const names = attachments.filter((a) => a.addon.id === addOn.id).map((a) => a.name);
      try {
        return { addOn, attachments: names, database: await clients.data.database(addOn.id, interactive) };
      } catch (error) {
        if (!(error instanceof HerokuApiError)) throw error;
        return { addOn, attachments: names, problem: isNotFound(error) ? 'not provisioned yet' : error.message };
      }
    }),
  );
  // A follower's `following` is the leader's URL: name it by the config vars holding it, as pg:info does.
  if (statuses.some((s) => s.database?.following)) {
    const vars = Object.entries(await clients.platform.configVars(app, interactive));
    for (const s of statuses) {
      const following = s.database?.following;
      if (following) s.following = vars.filter(([, value]) => value === following).map(([name]) => name);
    }
  }
  return statuses;
}
