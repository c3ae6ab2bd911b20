import ms from 'ms';
import type { MaintenanceNotice } from './notice.js';
import { isFinished } from './notice-state.js';

/**
 * The clock reminders of a notice, from the policy's list (`24h`, `1h`, `start`, `end`). Each is
 * claimed once per notice, channel and start time, so a reschedule arms them again.
 */

type LeadReminder = { kind: 'before'; name: string; msBefore: number };
export type Reminder = LeadReminder | { kind: 'start' | 'end'; name: 'start' | 'end' };

export function parseReminders(names: readonly string[]): Reminder[] {
  return names.map((name) => {
    if (name === 'start' || name === 'end') return { kind: name, name };
    const msBefore = ms(name as ms.StringValue) as number | undefined;
    if (typeof msBefore !== 'number' || !(msBefore > 0)) {
      throw new Error(`maintenance reminder "${name}" must be start, end or a lead time such as 24h or 30m`);
    }
    return { kind: 'before', name, msBefore };
  });
}

export interface DueReminder {
  reminder: Reminder;
  /** The claim key: the reminder and the start it is for. */
  key: string;
  /** Claimed without a message: the announcement or a closer reminder already says it. */
  silent: boolean;
}

/**
 * The reminders due now. Lead reminders run while the work is still ahead; when several are due
 * at once (the notice came late, or the watcher was down) only the closest one speaks. `start`
 * speaks while nobody has said it began; `end` while nobody has said it finished.
 */
export function dueReminders(
  reminders: readonly Reminder[],
  notice: MaintenanceNotice,
  now: Date,
  options: { justAnnounced: boolean },
): DueReminder[] {
  if (!notice.start || isFinished(notice.state)) return [];
  const start = new Date(notice.start).getTime();
  const end = notice.end ? new Date(notice.end).getTime() : null;
  const t = now.getTime();
  const isDue = (r: Reminder) => {
    if (r.kind === 'before') return notice.state === 'scheduled' && t >= start - r.msBefore && t < start;
    if (r.kind === 'start') return notice.state === 'scheduled' && t >= start && (end === null || t < end);
    return end !== null && t >= end;
  };
  const due = reminders.filter(isDue);
  const closest = due
    .filter((r): r is LeadReminder => r.kind === 'before')
    .reduce<LeadReminder | undefined>((a, r) => (a && a.msBefore <= r.msBefore ? a : r), undefined);
  return due.map((reminder) => ({
    reminder,
    key: `${reminder.name}@${notice.start}`,
    silent: options.justAnnounced || (reminder.kind === 'before' && reminder !== closest),
  }));
}
