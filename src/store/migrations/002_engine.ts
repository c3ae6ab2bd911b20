import type { Kysely } from 'kysely';

/** What the runbook engine needs beyond 001 to resume a run exactly where it stood. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on the evolving schema type
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('runs')
    .addColumn('approvals_required', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // Milliseconds before time scaling; bigint because policies may allow weeks.
  await db.schema.alterTable('runs').addColumn('approval_timeout_ms', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  // JSON { by, reason } of a pending cancel, kept until the run reaches a safe point.
  await db.schema.alterTable('runs').addColumn('cancel_request', 'text').execute();
  await db.schema.alterTable('runs').addColumn('maintenance_override_by', 'text').execute();
  // JSON: the maintenance window the run is held for.
  await db.schema.alterTable('runs').addColumn('held_for', 'text').execute();
  await db.schema.alterTable('runs').addColumn('rollback_of', 'text').execute();

  // JSON: the earlier outputs the step read.
  await db.schema.alterTable('steps').addColumn('input', 'text').execute();
  await db.schema.alterTable('steps').addColumn('progress', 'text').execute();
  await db.schema.alterTable('steps').addColumn('instructions', 'text').execute();
  await db.schema.alterTable('steps').addColumn('poll_interval_ms', 'integer').execute();
  // Consecutive transient errors, which bound the retries.
  await db.schema.alterTable('steps').addColumn('retries', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}
