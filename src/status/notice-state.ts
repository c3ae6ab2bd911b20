import type { StatusItem, StatusUpdate } from '../ops/heroku/status-feed.js';
import type { TrustMaintenance } from '../ops/heroku/trust.js';

/**
 * Where a maintenance stands, read from the item's `state` and its newest update, never from the
 * unreliable `resolved` flag (docs/reference/heroku-status-feeds.md §7.3), with the stop conditions of §7.4.
 */

export type NoticeState = 'scheduled' | 'in_progress' | 'complete' | 'cancelled';

export function isFinished(state: NoticeState): boolean {
  return state === 'complete' || state === 'cancelled';
}

const SIGNALS: Array<[Exclude<NoticeState, 'scheduled'>, RegExp]> = [
  ['cancelled', /\b(?:cancell?ed|called off|will not (?:take place|happen)|postponed (?:indefinitely|until further notice))\b/i],
  ['complete', /\b(?:(?:is|are|has been|have been|was|were) (?:now )?(?:complete|completed|finished|done)|completed successfully)\b/i],
  ['in_progress', /\b(?:underway|under way|in progress|(?:has|have) (?:begun|started)|(?:is|are) now beginning)\b/i],
];
// "... when the service update is complete" promises, it does not report: a conditional word
// earlier in the same clause disqualifies a match.
const CONDITIONAL = /\b(?:when|once|until|after|before|if|will)\b|\w'll\b/i;
const RESCHEDULED = /\b(?:rescheduled|moved to|postponed to|new (?:date|time|window))\b/i;

/** What a text reports: cancelled, complete or in progress, or nothing. */
export function reportedState(text: string): Exclude<NoticeState, 'scheduled'> | null {
  const sentences = text.split(/(?<=[.!?])\s+|[\r\n]+/);
  const reports = (pattern: RegExp, sentence: string) => {
    const match = pattern.exec(sentence);
    const clause = match ? sentence.slice(0, match.index).split(/[,;:]/).pop() ?? '' : '';
    return match !== null && !CONDITIONAL.test(clause);
  };
  for (const [state, pattern] of SIGNALS) if (sentences.some((s) => reports(pattern, s))) return state;
  return null;
}

export function mentionsReschedule(text: string): boolean {
  return RESCHEDULED.test(text);
}

/** Updates are documented newest first; sorting makes that an assumption we do not need. */
export function updatesNewestFirst(item: StatusItem): StatusUpdate[] {
  return [...item.updates].sort((a, b) => b.created_at.localeCompare(a.created_at));
}

export function newestTrustEvent(m: TrustMaintenance): TrustMaintenance['MaintenanceEvents'][number] | undefined {
  return [...m.MaintenanceEvents].sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
}

export interface HerokuStateContext {
  /** The window's end, when known. */
  end: Date | null;
  /** Whether current-status still lists the item; null when current-status could not be read. */
  listedNow: boolean | null;
  now: Date;
}

export function herokuNoticeState(item: StatusItem, context: HerokuStateContext): NoticeState {
  const newest = updatesNewestFirst(item)[0];
  const reported = newest ? reportedState(newest.contents) : null;
  if (reported === 'cancelled') return 'cancelled';
  // 2959 kept `state: "upcoming"` after "Maintenance is complete" (posted as a `scheduled` update).
  if (newest?.update_type === 'resolved' || item.state === 'resolved' || reported === 'complete') return 'complete';
  if (context.listedNow === false && context.end && context.end <= context.now) return 'complete';
  if (newest?.update_type === 'maintenance' || reported === 'in_progress') return 'in_progress';
  return 'scheduled';
}

/** Trust's `eventStatus` values are not documented; only `resolved` has been seen, so words are matched loosely. */
export function trustNoticeState(m: TrustMaintenance): NoticeState {
  const newest = newestTrustEvent(m);
  const words = `${m.message?.eventStatus ?? ''} ${newest?.type ?? ''}`;
  const reported = reportedState(newest?.message ?? '');
  if (/cancel/i.test(words) || reported === 'cancelled') return 'cancelled';
  if (/resolved|complete/i.test(words) || reported === 'complete') return 'complete';
  if (/progress|started|underway/i.test(words) || reported === 'in_progress') return 'in_progress';
  return 'scheduled';
}
