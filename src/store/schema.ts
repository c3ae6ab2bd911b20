import type { Generated } from 'kysely';

/**
 * The bot's own state. Timestamps are ISO 8601 strings in UTC and structured values are JSON text,
 * so one set of migrations serves SQLite and Postgres alike.
 */
export interface Database {
  runs: RunsTable;
  steps: StepsTable;
  approvals: ApprovalsTable;
  audit_events: AuditEventsTable;
  app_locks: AppLocksTable;
  maintenance_notices: MaintenanceNoticesTable;
  maintenance_notice_sources: MaintenanceNoticeSourcesTable;
  reminders_sent: RemindersSentTable;
  slack_messages: SlackMessagesTable;
  idempotency_keys: IdempotencyKeysTable;
  leases: LeasesTable;
  health_incidents: HealthIncidentsTable;
  pg_versions: PgVersionsTable;
  version_warnings_sent: VersionWarningsSentTable;
  health_digests: HealthDigestsTable;
  health_marks: HealthMarksTable;
}

export interface RunsTable {
  id: string;
  app: string;
  runbook: string;
  /** JSON: the runbook's validated parameters. */
  params: string;
  status: string;
  requested_by: string;
  channel: string | null;
  /** sha256 of the rendered plan that approvals are bound to. */
  plan_hash: string;
  /** Cutover not before this time (ISO), or null. */
  not_before: string | null;
  /** JSON: values steps recorded for later steps (new add-on name, saved formation, ...). */
  outputs: string;
  /** JSON: { step, id, message, next } when the run failed or was cancelled. */
  error: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
  // 002_engine
  approvals_required: number;
  /** Before time scaling; bigint because policies may allow weeks. */
  approval_timeout_ms: number | string;
  /** JSON { by, reason } of a pending cancel, kept until the run reaches a safe point. */
  cancel_request: string | null;
  maintenance_override_by: string | null;
  /** JSON: the maintenance window the run is held for. */
  held_for: string | null;
  rollback_of: string | null;
}

export interface StepsTable {
  run_id: string;
  idx: number;
  title: string;
  kind: string;
  status: string;
  attempts: number;
  started_at: string | null;
  finished_at: string | null;
  /** When a waiting step polls next (ISO); null when not waiting. */
  next_poll_at: string | null;
  /** JSON */
  output: string | null;
  /** JSON */
  error: string | null;
  // 002_engine
  /** JSON: the earlier outputs the step read. */
  input: string | null;
  progress: string | null;
  instructions: string | null;
  poll_interval_ms: number | null;
  /** Consecutive transient errors, which bound the retries. */
  retries: number;
  // 005_skipped_steps
  /** A skipped step: why its condition did not hold. */
  skip_reason: string | null;
}

export interface ApprovalsTable {
  id: Generated<number>;
  run_id: string;
  step_idx: number;
  user_id: string;
  decision: string;
  plan_hash: string;
  created_at: string;
}

export interface AuditEventsTable {
  id: Generated<number>;
  run_id: string | null;
  at: string;
  actor: string;
  type: string;
  /** JSON */
  detail: string;
}

export interface AppLocksTable {
  app: string;
  run_id: string;
  acquired_at: string;
}

export interface MaintenanceNoticesTable {
  /** `<source>:<item id>`, e.g. `heroku:2959` or `trust:1234`. */
  id: string;
  source: string;
  title: string;
  state: string;
  starts_at: string | null;
  ends_at: string | null;
  /** JSON array of region names. */
  regions: string;
  confidence: string;
  /** Item id plus newest update id: a change of this key is a change of the notice. */
  latest_update_key: string;
  /** JSON: the parsed notice as last seen. */
  data: string;
  first_seen_at: string;
  updated_at: string;
}

/** 003_status: every source id a notice is known by (`heroku:2959`, `trust:20745576`). */
export interface MaintenanceNoticeSourcesTable {
  source_id: string;
  notice_id: string;
}

export interface RemindersSentTable {
  notice_id: string;
  channel: string;
  reminder: string;
  sent_at: string;
}

export interface SlackMessagesTable {
  /** What the message stands for, e.g. `run:<id>` or `notice:<id>:<channel>`. */
  key: string;
  channel: string;
  ts: string;
  thread_ts: string | null;
  updated_at: string;
}

export interface IdempotencyKeysTable {
  key: string;
  created_at: string;
}

/** 004_leases: a named role one process holds at a time (`engine`), renewed while it lives. */
export interface LeasesTable {
  name: string;
  owner: string;
  acquired_at: string;
  expires_at: string;
}

/** 006_health: a Connect health incident, from first sight to resolution, with its Slack message. */
export interface HealthIncidentsTable {
  id: string;
  app: string;
  kind: string;
  /** The connection, the mapping's object or the notification type it is about. */
  subject: string;
  /** `pending` (seen, under its threshold), `open`, `resolved`. */
  status: string;
  first_seen_at: string;
  /** Ticks that saw the condition while pending. */
  looks: Generated<number>;
  opened_at: string | null;
  resolved_at: string | null;
  updated_at: string;
  /** JSON: the incident as last seen. */
  data: string;
  /** What the Slack message last showed. */
  shown: string | null;
  channel: string | null;
  ts: string | null;
}

/** 006_health: the version radar's latest reading of each database. */
export interface PgVersionsTable {
  addon_id: string;
  app: string;
  /** JSON */
  data: string;
  checked_at: string;
}

/** 006_health: a version warning claimed (and posted) once per database, major version and lead time. */
export interface VersionWarningsSentTable {
  addon_id: string;
  /** `15`, `9.6` */
  major: string;
  lead: string;
  sent_at: string;
  channel: string | null;
  ts: string | null;
}

/** 006_health: the daily digest claimed once per channel and UTC day. */
export interface HealthDigestsTable {
  channel: string;
  day: string;
  sent_at: string;
}

/** 007_health_marks: what the health watcher has seen of an app's write errors and notifications. */
export interface HealthMarksTable {
  app: string;
  /** JSON */
  data: string;
  updated_at: string;
}
