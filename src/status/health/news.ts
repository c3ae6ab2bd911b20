import type { Notification, WriteErrors } from '../../ops/heroku/types.js';
import { herokuTime } from './findings.js';

/**
 * "New since the last look" for write errors and Connect's notifications. C11 answers with the
 * write errors of the last 24 hours and C12 with every unacknowledged notification
 * (docs/reference/heroku-connect-api.md §4.3), so each look sees old items again: the watcher keeps,
 * per app, the ids it has seen and each mapping's `counts.errors`, and counts only what is new.
 *
 * New items make a streak: it starts with the first new item and lasts while new ones keep coming
 * within the quiet period (`health.quiet_period`). Write errors are an incident once the streak's
 * new errors reach `thresholds.write_errors`; a notification type is one while it has an
 * unacknowledged notification and its streak lasts. An acknowledged or old notification, and write
 * errors nobody adds to, stop keeping an incident open when the quiet period passes.
 */

export interface Streak {
  /** New items since the streak started. */
  count: number;
  /** When the newest of them happened (Heroku's `created_at`, else when it was seen). */
  lastNewAt: string;
  /** What the last look that found new items found, as a line for the message. */
  latest: string;
}

export interface HealthMarks {
  /** Ids of the write errors in the last look's 24-hour window. */
  writeErrorIds: string[];
  /** Each mapping's `counts.errors` at the last look. */
  mappingErrors: Record<string, number>;
  writeErrors: Streak | null;
  /** Ids of the unacknowledged notifications at the last look. */
  notificationIds: string[];
  /** Per notification type. */
  notifications: Record<string, Streak>;
}

/** What one look found new, and the streaks as they stand. */
export interface News {
  marks: HealthMarks;
  writeErrors: {
    /** New errors this look: the larger of new `/errors` ids and the growth of the mappings' `counts.errors` (they count the same refused rows). */
    fresh: number;
    /** This look's new errors, newest first, as lines for a threaded reply. */
    freshLines: string[];
    /** Mappings whose `counts.errors` grew, by how much. */
    grown: Record<string, number>;
    streak: Streak | null;
  };
  notifications: Record<string, { fresh: Notification[]; streak: Streak }>;
}

export const NO_MARKS: HealthMarks = { writeErrorIds: [], mappingErrors: {}, writeErrors: null, notificationIds: [], notifications: {} };

const newest = <T extends { created_at?: string | undefined }>(items: T[]): T[] => [...items].sort((a, b) => String(b.created_at ?? '').localeCompare(String(a.created_at ?? '')));

/** When the newest item happened, never later than now; now when Heroku does not say. */
function lastAt(items: Array<{ created_at?: string | undefined }>, now: Date): string {
  const times = items.map((i) => herokuTime(i.created_at)?.getTime()).filter((t): t is number => t !== undefined);
  return new Date(times.length > 0 ? Math.min(Math.max(...times), now.getTime()) : now.getTime()).toISOString();
}

/** A streak that saw nothing new for the quiet period is over. */
function alive(streak: Streak | null | undefined, now: Date, quietMs: number): streak is Streak {
  return !!streak && now.getTime() - Date.parse(streak.lastNewAt) < quietMs;
}

const hhmm = (now: Date) => `${now.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export function newsOf(
  input: { writeErrors: WriteErrors; mappingErrors: Record<string, number>; notifications: Notification[] | null },
  marks: HealthMarks,
  now: Date,
  quietMs: number,
): News {
  // Write errors: new ids in the window, or rows added to a mapping's counts.errors.
  const seen = new Set(marks.writeErrorIds);
  const freshErrors = newest(input.writeErrors.results.filter((e) => !seen.has(String(e.id))));
  const grown: Record<string, number> = {};
  for (const [object, count] of Object.entries(input.mappingErrors)) {
    const growth = count - (marks.mappingErrors[object] ?? 0);
    if (growth > 0) grown[object] = growth;
  }
  const fresh = Math.max(freshErrors.length, Object.values(grown).reduce((a, b) => a + b, 0));
  let writeStreak = alive(marks.writeErrors, now, quietMs) ? marks.writeErrors : null;
  const freshLines = freshErrors.slice(0, 5).map((e) => `${e.table_name ?? '?'} row ${String(e.record_id ?? '?')}: ${e.message}`);
  if (freshErrors.length === 0 && fresh > 0) freshLines.push(...Object.entries(grown).map(([object, n]) => `${object}: ${n} more failed row${n === 1 ? '' : 's'} (counts.errors)`));
  if (fresh > 0) {
    const perTable = new Map<string, number>();
    for (const e of freshErrors) perTable.set(e.table_name ?? '?', (perTable.get(e.table_name ?? '?') ?? 0) + 1);
    const where = perTable.size > 0 ? [...perTable].map(([t, n]) => `${t}: ${n}`) : Object.entries(grown).map(([o, n]) => `${o}: ${n}`);
    writeStreak = {
      count: (writeStreak?.count ?? 0) + fresh,
      lastNewAt: freshErrors.length > 0 ? lastAt(freshErrors, now) : now.toISOString(),
      latest: `${fresh} new at ${hhmm(now)} (${where.join(', ')})`,
    };
  }

  // Notifications: new ids, by type; types without a new one keep their streak until it is over.
  const notifications: News['notifications'] = {};
  const streaks: Record<string, Streak> = {};
  const seenNotifications = new Set(marks.notificationIds);
  const current = input.notifications ?? [];
  const types = new Set([...current.map((n) => n.event_type), ...Object.keys(marks.notifications)]);
  for (const type of types) {
    const freshOfType = newest(current.filter((n) => n.event_type === type && !seenNotifications.has(String(n.id))));
    let streak = alive(marks.notifications[type], now, quietMs) ? marks.notifications[type] : undefined;
    if (freshOfType.length > 0) {
      streak = { count: (streak?.count ?? 0) + freshOfType.length, lastNewAt: lastAt(freshOfType, now), latest: `${freshOfType.length} new at ${hhmm(now)}` };
      // Old news on a first look (a notification weeks old, never acknowledged) starts no streak.
      if (!alive(streak, now, quietMs)) streak = undefined;
    }
    if (!streak) continue;
    streaks[type] = streak;
    notifications[type] = { fresh: freshOfType, streak };
  }

  if (writeStreak && !alive(writeStreak, now, quietMs)) writeStreak = null;
  return {
    marks: {
      writeErrorIds: input.writeErrors.results.map((e) => String(e.id)),
      mappingErrors: { ...input.mappingErrors },
      writeErrors: writeStreak,
      // Without notifications read (the policy's `notifications: false`) the ids seen stay as they were.
      notificationIds: input.notifications ? current.map((n) => String(n.id)) : marks.notificationIds,
      notifications: streaks,
    },
    writeErrors: { fresh, freshLines, grown, streak: writeStreak },
    notifications,
  };
}
