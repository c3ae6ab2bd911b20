import { redactText } from '../../redact.js';

/**
 * Small text helpers for Slack's mrkdwn: escaping, code spans, mentions, times that Slack renders
 * in each reader's time zone, and durations as people say them.
 */

/** Slack's three control characters; everything user-typed or Heroku-sent goes through this. */
export function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Text from Heroku, the engine or an error: secrets redacted, escaped, cut to `max`. */
export function untrusted(text: string, max = 800): string {
  const clean = redactText(text);
  return escape(clean.length > max ? `${clean.slice(0, max - 1)}…` : clean);
}

/** A code span for a value echoed back, cut short so a pasted essay stays a short message. */
export function code(text: string, max = 60): string {
  const clean = redactText(text);
  const short = clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
  return `\`${escape(short).replace(/`/g, "'")}\``;
}

/** A title that links to `url` when there is one (a status page notice). */
export function linked(title: string, url: string | null): string {
  return url ? `<${url}|${escape(title)}>` : escape(title);
}

/** `<@U123>` for a user ID; `<!subteam^S123|@handle>` for a group whose ID is known; else the handle. */
export function mention(principal: string, groupIds: ReadonlyMap<string, string> = new Map()): string {
  if (!principal.startsWith('@')) return `<@${principal}>`;
  const id = groupIds.get(principal.slice(1));
  return id ? `<!subteam^${id}|${principal}>` : principal;
}

export function mentions(principals: readonly string[], groupIds?: ReadonlyMap<string, string>): string {
  return principals.map((p) => mention(p, groupIds)).join(', ');
}

/** A time Slack shows in the reader's zone, with a UTC fallback for clients that cannot. */
export function slackTime(iso: string | Date, format: 'time' | 'datetime' = 'datetime'): string {
  const date = typeof iso === 'string' ? new Date(iso) : iso;
  if (Number.isNaN(date.getTime())) return String(iso);
  const epoch = Math.floor(date.getTime() / 1000);
  const token = format === 'time' ? '{time}' : '{date_short_pretty} {time}';
  const fallback = `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${epoch}^${token}|${fallback}>`;
}

/** 75_000 -> "1m 15s"; 3_900_000 -> "1h 5m"; under a second -> "<1s". */
export function duration(ms: number): string {
  if (ms < 1000) return '<1s';
  const seconds = Math.round(ms / 1000);
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const parts = d > 0 ? [[d, 'd'], [h, 'h']] : h > 0 ? [[h, 'h'], [m, 'm']] : m > 0 ? [[m, 'm'], [s, 's']] : [[s, 's']];
  return parts
    .filter(([n], i) => i === 0 || (n as number) > 0)
    .map(([n, unit]) => `${n}${unit}`)
    .join(' ');
}

/** The writes-stopped time a run took, from its recorded length or its two ends, in the run's clock. */
export function downtimeTaken(downtime: { startedAt: string; endedAt: string | null; ms: number | null }, timeScale = 1): string {
  return duration((downtime.ms ?? between(downtime.startedAt, downtime.endedAt) ?? 0) * timeScale);
}

/**
 * How long something took in the run's clock: with a time scale (the sandbox, tests) the engine ran
 * every wait that many times faster, so a measured span times the scale is the simulated one.
 */
export function elapsed(run: { timeScale?: number }, from: string | null, to: string | null): number | null {
  const real = between(from, to);
  return real === null ? null : real * (run.timeScale ?? 1);
}

/** Said once per message when the run's durations are simulated. */
export function clockNote(run: { timeScale?: number }): string | null {
  const scale = run.timeScale ?? 1;
  return scale === 1
    ? null
    : `:stopwatch: Simulated time, ${scale.toLocaleString('en-US')}× the wall clock: durations, and times as +elapsed since the request`;
}

/**
 * A moment of the run in the run's clock: a Slack date on the wall clock, or with a time scale (the
 * sandbox) the simulated time elapsed since the run was requested, so that "open until" and "stays
 * open 4h" are read on the same clock (one clock, said once by `clockNote`).
 */
export function runTime(
  run: { timeScale?: number; createdAt: string },
  iso: string | Date,
  format: 'time' | 'datetime' = 'datetime',
): string {
  const scale = run.timeScale ?? 1;
  if (scale === 1) return slackTime(iso, format);
  const at = elapsed(run, run.createdAt, typeof iso === 'string' ? iso : iso.toISOString());
  return at === null ? slackTime(iso, format) : `+${at <= 0 ? '0s' : duration(at)}`;
}

export function between(from: string | null, to: string | null): number | null {
  if (!from || !to) return null;
  const ms = new Date(to).getTime() - new Date(from).getTime();
  return Number.isNaN(ms) ? null : ms;
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
