import type { Kysely } from 'kysely';

/**
 * Every id a maintenance notice is known by in the status sources (`heroku:2959`, `trust:20745576`),
 * pointing at the one stored notice: announced through Trust first and found on the Heroku status
 * site later, it is still one notice with one Slack thread.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on the evolving schema type
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('maintenance_notice_sources')
    .addColumn('source_id', 'text', (c) => c.primaryKey())
    .addColumn('notice_id', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('maintenance_notice_sources_notice_idx').on('maintenance_notice_sources').column('notice_id').execute();
}
