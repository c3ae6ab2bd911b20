import type { Connection, Mapping, Notification, WriteErrors } from '../../ops/heroku/types.js';
// The error states the reload runbook accepts: the button offers it for those alone.
import { RELOADABLE_ERRORS } from '../../ops/runbooks/reads/mappings.js';
import type { Finding } from './incident.js';
import { isConnectionKind, isMappingKind, type HealthKind } from './kinds.js';
import type { News } from './news.js';

/**
 * What is wrong with an app's Heroku Connect right now, from one reading of the Connect API:
 * the connection's state (docs/reference/heroku-connect-api.md §5.1), each mapping's state and last Salesforce poll (5.2), write
 * errors (C11) and Connect's own notifications (C12). Pure: thresholds and memory are the watcher's.
 */

/** One look at an app's Heroku Connect. */
export interface AppReading {
  app: string;
  connection: Connection;
  writeErrors: WriteErrors;
  /** Unacknowledged notifications; null when the policy does not watch them. */
  notifications: Notification[] | null;
  /** For each mapping stopped in SCHEMA_CHANGED: the mapped fields Salesforce no longer has (C16). */
  deletedFields: Record<string, string[]>;
  /**
   * A run of connect-ops holds the app: it pauses, reloads and alters on purpose, so what the
   * connection and its mappings show may be the run's doing (the watcher opens nothing new of
   * theirs meanwhile, and resolves only what a reading shows cleared: clearedIn()).
   */
  runActive: boolean;
}

const SYNCING = ['IDLE', 'POLLING_DB_CHANGES'];
/**
 * Mapping states that are errors (Dev Center mapping states reference, as django-heroku-connect
 * lists them: "mapping states that are permanent errors").
 */
const MAPPING_ERRORS = ['BULK_LOAD_ERROR', 'SYSTEM_ERROR', 'DB_UNAVAILABLE', 'BAD_CONFIG', 'SYNC_REMOVED', 'INACTIVE_ORG', 'UNAUTHORIZED'];
/** States in which a mapping polls Salesforce on its schedule. */
const POLLING = ['DATA_SYNCED', 'POLLING_SF_CHANGES', 'POLLING_SF_BULK', 'POLLING_SF_FOR_DELETES'];

/** What to do about a connection state (Dev Center connection states reference). */
const CONNECTION_ADVICE: Record<string, string> = {
  SYSTEM_ERROR: 'An unexpected error interrupted sync. Restart it (`heroku connect:recover`): the button plans the restart runbook.',
  DB_UNAVAILABLE: 'Heroku Connect cannot connect to its database. Check the database and the config var in its db_key, then restart it (the button plans the restart runbook).',
  NEED_AUTHENTICATION: 'Salesforce is not authorized: run `heroku connect:sf:auth` and log in with the integration user.',
  UNAUTHORIZED: 'The Salesforce authorization expired: reauthorize with `heroku connect:sf:auth`.',
  HEROKU_UNAUTH: 'Heroku Connect lost its authorization to the database: reauthorize it in the Heroku Connect dashboard.',
  TOO_MANY_ROWS: 'The connection is over its row limit: reduce the mapped rows or change the Heroku Connect plan.',
  RECOVERY: 'The connection has been recovering for a long time: check its logs (`heroku logs --tail --dyno herokuconnect`).',
  IMPORT_CONFIGURATION: 'A configuration import has been running for a long time: check the Heroku Connect dashboard.',
};

/** Heroku's timestamps (`2025-07-16 20:12:43.734321+00:00`) as a Date; null when unreadable. */
export function herokuTime(text: string | null | undefined): Date | null {
  if (!text) return null;
  const iso = text.trim().replace(' ', 'T').replace(/(\.\d{3})\d+/, '$1');
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * Everything wrong in the reading, a run or not: the watcher decides what a run may have caused.
 * Mappings are judged only while the connection syncs (a paused or failed connection stops them all).
 */
/** Each mapping's `counts.errors` (rows Salesforce refused), by object. */
export function mappingErrorCounts(connection: Connection): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const m of connection.mappings) if (typeof m.counts?.errors === 'number') counts[m.object_name] = m.counts.errors;
  return counts;
}

/** What is new decides write errors and notifications (news.ts): the new write errors needed for an incident. */
export interface NewsOptions {
  news: News;
  writeErrorThreshold: number;
}

export function findingsOf(reading: AppReading, now: Date, options?: NewsOptions): Finding[] {
  const { connection } = reading;
  const findings: Finding[] = [];
  findings.push(...connectionFindings(connection));
  if (SYNCING.includes(connection.state)) {
    for (const mapping of connection.mappings) findings.push(...mappingFindings(reading, mapping, now));
  }
  if (!options) return findings;
  const errors = writeErrorFinding(reading, options);
  if (errors) findings.push(errors);
  for (const finding of notificationFindings(reading.notifications ?? [], options.news)) findings.push(finding);
  return findings;
}

/**
 * Whether this reading shows an incident's condition gone, for an incident findingsOf() no longer
 * finds. Absence is not always clearance: a mapping is not judged while its connection does not
 * sync, and while a run holds the app the connection and its mappings pass through states the run
 * causes (PAUSED, RECOVERY, a reload), which hide a condition rather than clear it. Then only a
 * connection syncing again, and a mapping back to polling Salesforce, clear it.
 */
export function clearedIn(reading: AppReading, incident: { kind: HealthKind; subject: string }): boolean {
  const { connection } = reading;
  if (isConnectionKind(incident.kind)) return !reading.runActive || SYNCING.includes(connection.state);
  if (isMappingKind(incident.kind)) {
    if (!SYNCING.includes(connection.state)) return false;
    if (!reading.runActive) return true;
    const mapping = connection.mappings.find((m) => m.object_name === incident.subject);
    // A mapping the run deleted is gone with its condition.
    return !mapping || POLLING.includes(mapping.state);
  }
  return true;
}

function connectionFindings(connection: Connection): Finding[] {
  const { state, id, app_name } = connection;
  const app = app_name ?? connection.resource_name;
  if (state === 'IDLE') return [];
  if (state === 'POLLING_DB_CHANGES') {
    return [
      {
        kind: 'connection_polling',
        subject: id,
        title: 'Heroku Connect has been polling the database for a long time (POLLING_DB_CHANGES)',
        details: [`Connection ${connection.resource_name} is POLLING_DB_CHANGES.`],
        advice: '"If your connection remains in the POLLING_DB_CHANGES status for an extended time, check your logs": `heroku logs --tail --dyno herokuconnect`.',
        fix: null,
      },
    ];
  }
  if (state === 'PAUSED') {
    return [
      {
        kind: 'connection_paused',
        subject: id,
        title: 'Heroku Connect is PAUSED, and no run of connect-ops paused it',
        details: [`Connection ${connection.resource_name} is PAUSED: Salesforce is not polled and database changes wait in the trigger log.`],
        advice: 'Resume it when the work that needed the pause is done: the button plans the resume runbook.',
        fix: { runbook: 'resume', params: { app }, label: 'Plan resume' },
      },
    ];
  }
  const restartable = state === 'SYSTEM_ERROR' || state === 'DB_UNAVAILABLE';
  return [
    {
      kind: 'connection_state',
      subject: id,
      title: `Heroku Connect is ${state}`,
      details: [`Connection ${connection.resource_name} is ${state}: it does not sync.`],
      advice: CONNECTION_ADVICE[state] ?? 'Check the connection in the Heroku Connect dashboard and its logs.',
      fix: restartable ? { runbook: 'restart', params: { app }, label: 'Plan restart' } : null,
    },
  ];
}

function mappingFindings(reading: AppReading, mapping: Mapping, now: Date): Finding[] {
  const object = mapping.object_name;
  if (mapping.state === 'SCHEMA_CHANGED') {
    const deleted = reading.deletedFields[object] ?? [];
    const field = deleted[0];
    return [
      {
        kind: 'mapping_schema_changed',
        subject: object,
        title: `The ${object} mapping stopped syncing (SCHEMA_CHANGED)`,
        details: [
          `${object} has been SCHEMA_CHANGED since the watcher first saw it.`,
          ...(deleted.length > 0 ? [`Salesforce no longer has ${deleted.join(', ')}, which the mapping still maps.`] : []),
        ],
        advice:
          deleted.length > 0
            ? 'Heroku Connect waits for the mapping to be saved again, which drops the deleted fields: the button plans the field-change runbook.'
            : 'Heroku Connect is altering the table, or waits for the mapping to be saved again (Heroku Connect dashboard, Edit, Save).',
        fix: field ? { runbook: 'field-change', params: { app: reading.app, object, field }, label: 'Plan field-change' } : null,
      },
    ];
  }
  if (MAPPING_ERRORS.includes(mapping.state)) {
    const reloadable = RELOADABLE_ERRORS.includes(mapping.state);
    return [
      {
        kind: 'mapping_error',
        subject: object,
        title: `The ${object} mapping is ${mapping.state}`,
        details: [`${object} is ${mapping.state}${mapping.state_description ? `: ${mapping.state_description}` : ''}.`],
        advice: reloadable
          ? `Reload the ${object} mapping from Salesforce (\`heroku connect:mapping:reload ${object}\`): the button plans the reload runbook for ${object} alone. Check it with \`heroku connect:mapping:diagnose\` if it fails again.`
          : 'Check the mapping with `heroku connect:mapping:diagnose` and in the Heroku Connect dashboard.',
        fix: reloadable ? { runbook: 'reload', params: { app: reading.app, mappings: [object] }, label: `Plan reload of ${object}` } : null,
      },
    ];
  }
  const polled = herokuTime(mapping.times?.sf_poll);
  const intervalMs = (mapping.sf_polling_seconds ?? mapping.config?.sf_polling_seconds ?? 600) * 1000;
  if (POLLING.includes(mapping.state) && polled && now.getTime() - polled.getTime() > intervalMs) {
    return [
      {
        kind: 'mapping_stalled',
        subject: object,
        title: `The ${object} mapping stopped polling Salesforce`,
        details: [`${object} is ${mapping.state}, but its last Salesforce poll was at ${polled.toISOString()} (it polls every ${intervalMs / 1000} s).`],
        advice: 'Check the org\'s Salesforce API usage (Heroku Connect stops when `sf_max_daily_api_calls` is used up) and the Connect logs.',
        fix: null,
        // The poll that did not happen was due one interval after the last one.
        since: new Date(polled.getTime() + intervalMs).toISOString(),
      },
    ];
  }
  return [];
}

/**
 * Refused writes, once the new ones since the last quiet period reach the threshold. `/errors` and
 * the mappings' `counts.errors` count the same refused rows: one incident per connection, which
 * names the mappings whose count grew (a DBA looks for one "Salesforce refuses writes" alarm, with
 * the tables in it, rather than one per table).
 */
function writeErrorFinding(reading: AppReading, { news, writeErrorThreshold }: NewsOptions): Finding | null {
  const { streak, freshLines, grown } = news.writeErrors;
  if (!streak || streak.count < writeErrorThreshold) return null;
  const { count, results } = reading.writeErrors;
  const perTable = new Map<string, number>();
  for (const e of results) perTable.set(e.table_name ?? '?', (perTable.get(e.table_name ?? '?') ?? 0) + 1);
  const latest = [...results].sort((a, b) => String(b.created_at ?? '').localeCompare(String(a.created_at ?? ''))).slice(0, 3);
  const failedRows = Object.entries(mappingErrorCounts(reading.connection)).filter(([, n]) => n > 0);
  return {
    kind: 'write_errors',
    subject: reading.connection.id,
    title: count > 0 ? `Salesforce refused ${count} write${count === 1 ? '' : 's'} in the last 24 hours` : `Salesforce refused ${streak.count} write${streak.count === 1 ? '' : 's'}`,
    details: [
      ...(perTable.size > 0 ? [[...perTable].map(([table, n]) => `${table}: ${n}`).join(', ')] : []),
      ...latest.map((e) => `${e.table_name ?? '?'} row ${String(e.record_id ?? '?')}: ${e.message}`),
      ...(failedRows.length > 0 ? [`Failed rows by mapping (counts.errors): ${failedRows.map(([o, n]) => `${o} ${n}`).join(', ')}`] : []),
      `New since the last quiet period: ${streak.count}; latest: ${streak.latest}.`,
    ],
    advice: 'Fix the rows or the Salesforce validation, then update the rows so Heroku Connect writes them again (`heroku connect:write-errors` lists them).',
    fix: null,
    fresh: news.writeErrors.fresh > 0 ? [`${news.writeErrors.fresh} new write error${news.writeErrors.fresh === 1 ? '' : 's'}${Object.keys(grown).length > 0 ? ` (${Object.entries(grown).map(([o, n]) => `${o} +${n}`).join(', ')})` : ''}:`, ...freshLines] : [],
  };
}

/** Connect's notifications by type, while the type has unacknowledged ones and new ones keep coming. */
function notificationFindings(notifications: Notification[], news: News): Finding[] {
  const byType = new Map<string, Notification[]>();
  for (const n of notifications) byType.set(n.event_type, [...(byType.get(n.event_type) ?? []), n]);
  return [...byType].flatMap(([type, list]) => {
    const typeNews = news.notifications[type];
    if (!typeNews) return [];
    const newestFirst = [...list].sort((a, b) => String(b.created_at ?? '').localeCompare(String(a.created_at ?? ''))).slice(0, 3);
    return [
      {
        kind: 'notification' as const,
        subject: type,
        title: `Heroku Connect notification${list.length === 1 ? '' : 's'}: ${type} (${list.length})`,
        details: [...newestFirst.map((n) => n.message), `Latest: ${typeNews.streak.latest}.`],
        advice: 'Acknowledge them in the Heroku Connect dashboard or with `heroku connect:notifications:acknowledge` once handled; the incident also resolves when none comes for the quiet period (`health.quiet_period`).',
        fix: null,
        fresh: typeNews.fresh.length > 0 ? [`${typeNews.fresh.length} new notification${typeNews.fresh.length === 1 ? '' : 's'}:`, ...typeNews.fresh.slice(0, 5).map((n) => n.message)] : [],
      },
    ];
  });
}
