import type { MaintenanceNotice } from './notice.js';
import type { NoticeState } from './notice-state.js';

/**
 * Every text the maintenance watcher puts in Slack, in one place: the bot uses `noticeSummary` as
 * the fallback text of the Block Kit root message, and tests assert these exact words.
 */

type Window = Pick<MaintenanceNotice, 'start' | 'end' | 'confidence'>;

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const dayOf = (d: Date) => `${DAYS[d.getUTCDay()]} ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
const timeOf = (d: Date) => `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;

/** "Wed 15 Jul 2026, 17:00–17:45 UTC"; says so when the time is unknown or uncertain. */
export function formatWindow(w: Window): string {
  if (!w.start) return 'time not stated (see the notice)';
  const start = new Date(w.start);
  const end = w.end ? new Date(w.end) : null;
  let text: string;
  if (!end) text = `${dayOf(start)}, from ${timeOf(start)} UTC`;
  else if (dayOf(start) === dayOf(end)) text = `${dayOf(start)}, ${timeOf(start)}–${timeOf(end)} UTC`;
  else text = `${dayOf(start)} ${timeOf(start)} UTC – ${dayOf(end)} ${timeOf(end)} UTC`;
  return w.confidence === 'low' ? `${text} (read with low confidence: check the notice)` : text;
}

const STATE_LABELS: Record<NoticeState, string> = {
  scheduled: 'Scheduled',
  in_progress: 'In progress',
  complete: 'Complete',
  cancelled: 'Cancelled',
};

/** The root message: where the notice stands now. Posted at announcement, edited on every change. */
export function noticeSummary(n: MaintenanceNotice): string {
  const where = n.regions.length > 0 ? ` (${n.regions.join(', ')})` : '';
  const link = n.link ? ` ${n.link}` : '';
  return (
    `${STATE_LABELS[n.state]}: Heroku Connect maintenance${where}, ${formatWindow(n)}. ` +
    `All Heroku Connect sync and configuration stop during the window; it cannot be rescheduled. ${n.title}${link}`
  );
}

/** Heroku's words, quoted as posted (line breaks kept, `\r\n` made plain). */
const quote = (text: string) => `“${text.replace(/\r\n?/g, '\n').trim()}”`;

function lead(msBefore: number): string {
  const hours = msBefore / 3_600_000;
  if (Number.isInteger(hours) && hours <= 48) return hours === 1 ? '1 hour' : `${hours} hours`;
  const days = hours / 24;
  if (Number.isInteger(days)) return `${days} days`;
  const minutes = Math.round(msBefore / 60_000);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

/** Thread replies under the root message. */
export const replies = {
  rescheduled(n: MaintenanceNotice, was: Window): string {
    if (was.start && n.start === was.start && n.end && was.end) {
      return `The maintenance is now expected to end at ${timeOf(new Date(n.end))} UTC (was ${timeOf(new Date(was.end))} UTC).`;
    }
    return `Rescheduled: ${formatWindow(n)} (was ${formatWindow(was)}).`;
  },
  reminder(n: MaintenanceNotice, msBefore: number): string {
    return `Reminder: Heroku Connect maintenance starts in ${lead(msBefore)}, ${formatWindow(n)}. Sync and configuration stop for the whole window.`;
  },
  starting(n: MaintenanceNotice): string {
    return `Heroku Connect maintenance is due to start now (${formatWindow(n)}). Sync and configuration are unavailable until it ends.`;
  },
  started(n: MaintenanceNotice): string {
    return `The maintenance is underway: ${quote(n.text)}`;
  },
  ending(): string {
    return 'The window was due to end now; no completion has been posted yet.';
  },
  complete(): string {
    return 'The maintenance is complete. Check that Heroku Connect is syncing again on every connection.';
  },
  cancelled(n: MaintenanceNotice): string {
    return `This maintenance is cancelled: ${quote(n.text)}`;
  },
  updated(n: MaintenanceNotice): string {
    return `Update from the status page: ${quote(n.text)}`;
  },
};
