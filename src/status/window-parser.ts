import * as chrono from 'chrono-node';
import type { ParsedComponents, ParsedResult } from 'chrono-node';
import ms from 'ms';

/**
 * Reads a maintenance window out of the prose Heroku writes (docs/reference/heroku-status-feeds.md §8.2 and §8.4): the v4 API has
 * no structured window. chrono-node finds dates and times; the rules here decide which of them is
 * the window, infer a missing year from when the notice was posted, and say how sure the result is
 * instead of guessing.
 */

/** `high`: date, time and zone stated; `low`: a window was found but something was assumed; `none`: no date. */
export type Confidence = 'high' | 'low' | 'none';

export interface ParsedWindow {
  start: Date | null;
  end: Date | null;
  confidence: Confidence;
}

/** "Maintenances typically take up to 45 minutes" (Dev Center): the end when none is stated. */
export const DEFAULT_MAINTENANCE_MS = ms('45m');

export interface ParseWindowOptions {
  /** When the text was posted: a date without a year is the next such date from here. */
  postedAt: Date;
  defaultDurationMs?: number;
}

/** What the parser says when it cannot tell. */
export const NO_WINDOW: ParsedWindow = { start: null, end: null, confidence: 'none' };
const MINUTE = ms('1m');
const DAY = ms('1d');
/** A notice may be posted shortly after the work it announces began (urgent or retroactive ones). */
const POSTED_AFTER_START = ms('7d');

// "(30 minutes)", "(3 hours)", "for 2 hours", "lasting up to 45 minutes".
const DURATION =
  /\(\s*(\d+(?:\.\d+)?)\s*(minutes?|mins?|hours?|hrs?)\s*\)|\b(?:for|lasting)\s+(?:up to\s+|about\s+|approximately\s+|roughly\s+)?(\d+(?:\.\d+)?|an?|one|two|three|four)\s+(minutes?|hours?)\b/gi;
const NUMBER_WORDS: Record<string, number> = { a: 1, an: 1, one: 1, two: 2, three: 3, four: 4 };
// Everything else in parentheses is the same time in US-Eastern or another local zone: ignored.
const PARENTHESES = /\([^()]*\)/g;
const RESCHEDULED = /\b(?:rescheduled|moved|postponed|pushed back|delayed)\b/i;
const SUPERSEDED = /\b(?:originally|previously|formerly|instead of)\b[^.]*$/i;
const START_CONNECTOR = /^[\s,]*(?:(?:starting|beginning|commencing)\s+)?(?:at|from|between)?\s*$/i;
const END_CONNECTOR = /(?:\buntil|\btill|\bto|\bthrough|\band|\bending(?:\s+at)?|-|–)\s*$/i;
const REVISED_END = /\b(?:complete|completed|finish|finished|end|ended|until|extend|extended)\b/i;

export function parseWindow(text: string, options: ParseWindowOptions): ParsedWindow {
  const { prose, durationMs } = prepare(text);
  const results = timesIn(prose, options.postedAt);
  const anchor = windowDate(prose, results);
  if (!anchor) return NO_WINDOW;

  const date = dateOf(anchor.start, options.postedAt);
  let confidence: Confidence = date.weekdayAgrees ? 'high' : 'low';

  const { startTime, endTime } = timesOfDay(prose, results, anchor);
  if (!startTime) {
    // A date without a time of day: all we can honestly say is "some time that day".
    const start = utc(date, 0, 0, 0);
    return { start, end: new Date(start.getTime() + DAY), confidence: 'low' };
  }

  const offset = offsetOf(startTime) ?? (endTime && offsetOf(endTime));
  if (offset === undefined) confidence = 'low'; // no zone stated: UTC assumed
  const start = utc(date, hourOf(startTime), minuteOf(startTime), offset ?? 0);

  let end: Date;
  if (endTime) {
    const endDate = endTime.isCertain('day') ? dateOf(endTime, options.postedAt) : date;
    end = utc(endDate, hourOf(endTime), minuteOf(endTime), offsetOf(endTime) ?? offset ?? 0);
    if (end <= start && !endTime.isCertain('day')) end = new Date(end.getTime() + DAY); // "23:30 to 00:15"
    if (durationMs !== null && Math.abs(end.getTime() - start.getTime() - durationMs) > MINUTE) confidence = 'low';
  } else {
    end = new Date(start.getTime() + (durationMs ?? options.defaultDurationMs ?? DEFAULT_MAINTENANCE_MS));
  }
  if (end <= start) return { start, end: null, confidence: 'low' };
  return { start, end, confidence };
}

/**
 * A later update that moves the end of running work ("will complete around 19:45 UTC"): the new
 * end, on the window's day, or null when the text names none with a stated zone.
 */
export function parseRevisedEnd(text: string, start: Date): Date | null {
  const { prose } = prepare(text);
  for (const r of timesIn(prose, start)) {
    const offset = offsetOf(r.start);
    if (r.start.isCertain('day') || !r.start.isCertain('hour') || offset === undefined) continue;
    if (!REVISED_END.test(prose.slice(Math.max(0, r.index - 60), r.index))) continue;
    const day = { year: start.getUTCFullYear(), month: start.getUTCMonth() + 1, day: start.getUTCDate() };
    const end = utc(day, hourOf(r.start), minuteOf(r.start), offset);
    return end > start ? end : new Date(end.getTime() + DAY);
  }
  return null;
}

/** One line of text with the stated duration taken out and local times in parentheses blanked. */
function prepare(text: string): { prose: string; durationMs: number | null } {
  const line = text.replace(/\s+/g, ' ');
  const stated = line.matchAll(DURATION).next().value;
  const blank = (s: string) => ' '.repeat(s.length);
  return { prose: line.replace(DURATION, blank).replace(PARENTHESES, blank), durationMs: stated ? durationOf(stated) : null };
}

function durationOf([, digits, unit1, amount, unit2]: RegExpMatchArray): number {
  const n = Number(digits ?? NUMBER_WORDS[(amount ?? '').toLowerCase()] ?? amount);
  return n * ((unit1 ?? unit2 ?? '').toLowerCase().startsWith('h') ? ms('1h') : MINUTE);
}

/** Dates and times chrono finds, without relative ones ("in 2 hours") that depend on when it was read. */
function timesIn(prose: string, postedAt: Date): ParsedResult[] {
  return chrono.strict
    .parse(prose, { instant: postedAt, timezone: 'UTC' })
    .filter((r) => ![...r.tags()].some((t) => t.startsWith('result/relativeDate')));
}

/** The date of the window: after "rescheduled to" when there is one, never an "originally ... " date. */
function windowDate(prose: string, results: ParsedResult[]): ParsedResult | undefined {
  const dates = results.filter(
    (r) =>
      r.start.isCertain('day') &&
      r.start.isCertain('month') &&
      !SUPERSEDED.test(prose.slice(Math.max(0, r.index - 60), r.index)),
  );
  const moved = RESCHEDULED.exec(prose);
  return (moved && dates.find((r) => r.index > moved.index)) ?? dates[0];
}

/** The start and end times of day: on the date itself, or just after it ("May 09, 2023, starting at 11:30 UTC"). */
function timesOfDay(
  prose: string,
  results: ParsedResult[],
  anchor: ParsedResult,
): { startTime?: ParsedComponents; endTime?: ParsedComponents } {
  let cursor = anchor.index + anchor.text.length;
  const timeAfter = (connector: RegExp) => {
    const next = results.find((r) => r.index >= cursor && r.start.isCertain('hour') && !r.start.isCertain('day'));
    if (!next) return undefined;
    const gap = prose.slice(cursor, next.index);
    if (gap.length > 80 || /[.!?;](?:\s|$)/.test(gap) || !connector.test(gap)) return undefined;
    cursor = next.index + next.text.length;
    return next;
  };

  let startTime = anchor.start.isCertain('hour') ? anchor.start : undefined;
  let endTime = anchor.end?.isCertain('hour') ? anchor.end : undefined;
  if (!startTime) {
    const time = timeAfter(START_CONNECTOR);
    startTime = time?.start;
    endTime = time?.end?.isCertain('hour') ? time.end : undefined;
  }
  if (startTime && !endTime) endTime = timeAfter(END_CONNECTOR)?.start;
  return { startTime, endTime };
}

interface CalendarDate {
  year: number;
  month: number;
  day: number;
  weekdayAgrees: boolean;
}

/**
 * The calendar date of a component. Without a stated year, the first such date that is not well
 * before the posting. A stated weekday only checks the date: a mismatch lowers the confidence.
 */
function dateOf(c: ParsedComponents, postedAt: Date): CalendarDate {
  const month = c.get('month') ?? 1;
  const day = c.get('day') ?? 1;
  const posted = postedAt.getUTCFullYear();
  const year = c.isCertain('year')
    ? (c.get('year') ?? posted)
    : ([posted - 1, posted].find((y) => Date.UTC(y, month - 1, day + 1) > postedAt.getTime() - POSTED_AFTER_START) ?? posted + 1);
  const weekday = c.isCertain('weekday') ? c.get('weekday') : null;
  return { year, month, day, weekdayAgrees: weekday === null || new Date(Date.UTC(year, month - 1, day)).getUTCDay() === weekday };
}

function utc(date: Pick<CalendarDate, 'year' | 'month' | 'day'>, hour: number, minute: number, offsetMinutes: number): Date {
  return new Date(Date.UTC(date.year, date.month - 1, date.day, hour, minute) - offsetMinutes * MINUTE);
}

function offsetOf(c: ParsedComponents): number | undefined {
  return c.isCertain('timezoneOffset') ? (c.get('timezoneOffset') ?? undefined) : undefined;
}

const hourOf = (c: ParsedComponents) => c.get('hour') ?? 0;
const minuteOf = (c: ParsedComponents) => c.get('minute') ?? 0;
