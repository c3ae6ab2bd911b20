/**
 * When a wait polls next. Durations are the procedure's milliseconds (before the time scale).
 *
 * - Inside a cutover (writes stopped) every second late is the app's downtime, and the Heroku CLI
 *   polls every 5 s: the wait aims at the moment its condition should hold (measured from what the
 *   probe reports left, else the runbook's `expect`), halving the way there, and polls every `every`
 *   around it. With nothing to go on, it is late by at most a tenth of how long it has waited.
 * - Outside a cutover nobody's writes wait on it: it is late by at most 5 % of how long it has
 *   waited, or 30 s (LATENESS_*), aiming 10 % inside that for the answer's own delay, and no more
 *   often than the shared polling budget allows.
 */

/** Outside a cutover a wait notices its condition within this share of its length... */
export const LATENESS_SHARE = 0.05;
/** ...or within this, whichever is larger. */
export const LATENESS_FLOOR_MS = 30_000;
/**
 * Outside a cutover a wait aims this far inside its allowance: a poll's answer comes a request (and
 * the limiter's queue) after the poll was due, so one due exactly at the allowance is answered late.
 */
const AIM_WITHIN = 0.9;
/** Inside a cutover, without a prediction, within this share of its length. */
const CUTOVER_LATENESS_SHARE = 0.1;

/** What a probe reported left before the condition holds (upgrade steps, commits behind, bytes to copy), and when. */
export interface Observation {
  remaining: number;
  /** Engine ms (the engine's clock). */
  at: number;
}

/**
 * What the engine keeps of a wait's observations: the first, and the points where `remaining` went
 * down. A quantity that drops in steps (an upgrade's 1/7…7/7) is seen to change up to one poll after
 * it did; measuring between two changes, not from the first reading, keeps that error off the rate.
 */
export interface Drain {
  first: Observation;
  /** The first observation that went down, once one did. */
  firstChange?: Observation;
  /** The latest observation that went down (the current value, first seen). */
  lastChange?: Observation;
}

/** Adds an observation; a quantity that grew starts the measurement again. */
export function observe(drain: Drain | undefined, seen: Observation): Drain {
  const current = drain?.lastChange ?? drain?.first;
  if (!drain || !current || seen.remaining > current.remaining) return { first: seen };
  if (seen.remaining === current.remaining) return drain;
  return { first: drain.first, firstChange: drain.firstChange ?? seen, lastChange: seen };
}

/**
 * Engine ms from `now` until `remaining` should reach 0 at the rate it drained so far (negative once
 * that moment has passed); undefined until it went down twice (or once from the first reading).
 */
export function predictedMs(drain: Drain | undefined, now: number): number | undefined {
  if (!drain?.lastChange) return undefined;
  const from = drain.firstChange !== drain.lastChange ? drain.firstChange! : drain.first;
  const to = drain.lastChange;
  const drained = from.remaining - to.remaining;
  const took = to.at - from.at;
  if (drained <= 0 || took <= 0) return undefined;
  return to.at + (to.remaining * took) / drained - now;
}

export interface PollContext {
  /** The wait's first and fastest interval. */
  every: number;
  /** Its slowest interval while nothing tells it more. */
  max: number;
  /** Since the wait started. */
  elapsed: number;
  /** The probe says the condition is about to hold. */
  near: boolean;
  /** Until the condition should hold, from the measured drain (negative: overdue). */
  predicted?: number;
  /** Writes are stopped: the run is between the steps that stop and resume them. */
  cutover: boolean;
}

/** The next poll interval of a wait that has just polled and found its condition not yet true. */
export function nextPollInterval(c: PollContext): number {
  if (c.near) return c.every;
  if (c.cutover) {
    if (c.predicted !== undefined && c.predicted > 0) return c.predicted > 2 * c.every ? c.predicted / 2 : c.every;
    return clamp(c.elapsed * CUTOVER_LATENESS_SHARE, c.every, c.max);
  }
  const allowance = Math.max(LATENESS_FLOOR_MS, c.elapsed * LATENESS_SHARE) * AIM_WITHIN;
  // A prediction only brings the next poll forward (to half the way there), never past the allowance.
  const aimed = c.predicted !== undefined && c.predicted > 0 ? Math.min(allowance, Math.max(c.every, c.predicted / 2)) : allowance;
  return clamp(aimed, c.every, Math.max(c.max, c.every));
}

/**
 * How long after it starts a wait first polls. A poll before the shortest time its condition usually
 * takes (`expect`) finds what the step before it just saw (a pause accepted, a copy started): inside
 * a cutover the first poll comes one `every` before that time; outside, at that time but no later
 * than the lateness floor (30 s), so a condition that holds at once is still noticed on time. A wait
 * without an expected minimum polls at once (it may hold already).
 */
export function firstPollDelay(c: { every: number; expectedMin: number; cutover: boolean }): number {
  return c.cutover ? Math.max(0, c.expectedMin - c.every) : Math.min(c.expectedMin, LATENESS_FLOOR_MS);
}

/**
 * The shortest interval that keeps all waits together within the polling budget (requests per
 * hour): with 30 runs waiting and 1800 requests an hour, no wait polls more than once a minute.
 */
export function budgetFloor(waiting: number, budgetPerHour: number): number {
  return (Math.max(waiting, 1) * 3_600_000) / budgetPerHour;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), Math.max(high, low));
}
