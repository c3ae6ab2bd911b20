import type { Kysely } from 'kysely';

/**
 * What the health watcher has already seen of each app's write errors and Connect notifications
 * (their ids, each mapping's `counts.errors`), so only what is new since the last look counts,
 * across restarts and replicas.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on the evolving schema type
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('health_marks')
    .addColumn('app', 'text', (c) => c.primaryKey())
    // JSON: the high-water marks and the current streak of new items (src/status/health/news.ts).
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}
