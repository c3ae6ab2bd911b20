import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';
import { autoIncrementId } from './columns.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on the evolving schema type
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('app', 'text', (c) => c.notNull())
    .addColumn('runbook', 'text', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('channel', 'text')
    .addColumn('plan_hash', 'text', (c) => c.notNull())
    .addColumn('not_before', 'text')
    .addColumn('outputs', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema.createIndex('runs_app_idx').on('runs').columns(['app', 'created_at']).execute();
  await db.schema.createIndex('runs_status_idx').on('runs').column('status').execute();

  await db.schema
    .createTable('steps')
    .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addColumn('next_poll_at', 'text')
    .addColumn('output', 'text')
    .addColumn('error', 'text')
    .addPrimaryKeyConstraint('steps_pk', ['run_id', 'idx'])
    .execute();

  await db.schema
    .createTable('approvals')
    .$call(autoIncrementId(dialect))
    .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('step_idx', 'integer', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('plan_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    // One decision per person per approval step: a double click or a Slack retry cannot count twice.
    .addUniqueConstraint('approvals_once', ['run_id', 'step_idx', 'user_id'])
    .execute();

  await db.schema
    .createTable('audit_events')
    .$call(autoIncrementId(dialect))
    .addColumn('run_id', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  await db.schema.createIndex('audit_events_run_idx').on('audit_events').columns(['run_id', 'id']).execute();

  await db.schema
    .createTable('app_locks')
    .addColumn('app', 'text', (c) => c.primaryKey())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('acquired_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('maintenance_notices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'text')
    .addColumn('ends_at', 'text')
    .addColumn('regions', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('confidence', 'text', (c) => c.notNull())
    .addColumn('latest_update_key', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('reminders_sent')
    .addColumn('notice_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('reminder', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text', (c) => c.notNull())
    // Claiming a reminder is an insert: a second replica's insert fails, so it is posted once.
    .addPrimaryKeyConstraint('reminders_sent_pk', ['notice_id', 'channel', 'reminder'])
    .execute();

  await db.schema
    .createTable('slack_messages')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('ts', 'text', (c) => c.notNull())
    .addColumn('thread_ts', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}
