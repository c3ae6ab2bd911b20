import type { Kysely } from 'kysely';

/** A conditional step whose condition did not hold is `skipped`, and keeps the reason it gives. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on the evolving schema type
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('steps').addColumn('skip_reason', 'text').execute();
}
