import { sql, type Kysely } from 'kysely';

/**
 * The Connect health watcher and the Postgres version radar: incidents with their Slack message,
 * the radar's latest reading of each database, the version warnings sent (one per database,
 * version and lead time), and the daily digests posted. Claims are inserts or conditional updates,
 * so a restart or a second replica never posts the same thing twice.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on the evolving schema type
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('health_incidents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('app', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    // `pending` (seen, under its threshold), `open` (told), `resolved`.
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    // Ticks that saw the condition while pending: one look alone never makes an incident.
    .addColumn('looks', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('opened_at', 'text')
    .addColumn('resolved_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    // JSON: the incident as last seen.
    .addColumn('data', 'text', (c) => c.notNull())
    // What the Slack message last showed, to edit it only when that changes.
    .addColumn('shown', 'text')
    .addColumn('channel', 'text')
    .addColumn('ts', 'text')
    .execute();
  // One incident at a time per app, kind and subject: a second replica's insert finds the first one's.
  await db.schema
    .createIndex('health_incidents_active')
    .on('health_incidents')
    .columns(['app', 'kind', 'subject'])
    .unique()
    .where(sql.ref('status'), '<>', 'resolved')
    .execute();
  await db.schema.createIndex('health_incidents_status_idx').on('health_incidents').columns(['status', 'app']).execute();

  await db.schema
    .createTable('pg_versions')
    .addColumn('addon_id', 'text', (c) => c.primaryKey())
    .addColumn('app', 'text', (c) => c.notNull())
    // JSON: the radar's reading of the database (version, support status, Heroku's Warning row).
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('checked_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('version_warnings_sent')
    .addColumn('addon_id', 'text', (c) => c.notNull())
    .addColumn('major', 'text', (c) => c.notNull())
    // The lead time (`30d`) or `warning` for Heroku's own Warning row.
    .addColumn('lead', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text', (c) => c.notNull())
    .addColumn('channel', 'text')
    .addColumn('ts', 'text')
    .addPrimaryKeyConstraint('version_warnings_sent_pk', ['addon_id', 'major', 'lead'])
    .execute();

  await db.schema
    .createTable('health_digests')
    .addColumn('channel', 'text', (c) => c.notNull())
    // The UTC day the digest is for, `2026-12-04`.
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('health_digests_pk', ['channel', 'day'])
    .execute();
}
