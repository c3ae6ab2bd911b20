import type { AppStatus as BotAppStatus } from './bot/index.js';
import type { AppStatus } from './ops/app-status.js';
import { behindBy, databaseStatus } from './ops/heroku/data.js';

/** The app status in the shape the bot renders (the bot imports nothing of ops). */
export function appStatusForSlack(status: AppStatus): BotAppStatus {
  const c = status.connection;
  return {
    app: status.app,
    connection: c ? { id: c.id, state: c.state, dbKey: c.db_key ?? null, schemaName: c.schema_name ?? null } : null,
    mappings: (c?.mappings ?? []).map((m) => ({
      objectName: m.object_name,
      state: m.state,
      fields: Object.keys(m.config?.fields ?? {}),
      counts: m.counts && { db: m.counts.db ?? null, sf: m.counts.sf ?? null, pending: m.counts.pending ?? undefined, errors: m.counts.errors ?? undefined },
    })),
    databases: status.databases.map((d) => ({
      addon: d.addOn.name,
      attachments: d.attachments.map((name) => `${name}_URL`),
      plan: d.addOn.plan.name.replace(/^heroku-postgresql:/, ''),
      version: d.database?.postgres_version ?? null,
      status: d.database ? (databaseStatus(d.database) ?? 'unknown') : (d.problem ?? d.addOn.state),
      following: d.following?.join(', ') || null,
      lagCommits: d.database?.following ? (behindBy(d.database) ?? null) : null,
    })),
  };
}
