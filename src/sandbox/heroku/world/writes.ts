import type { App } from './apps.js';
import { noteWriters, type WriteChange } from './writers.js';
import type { World } from './world.js';

export type { WriteChange } from './writers.js';

/**
 * Whether a database is being written. A database takes writes while any writer, of any app it is
 * attached to, writes to it (writers.ts): web dynos until maintenance mode is on, every other
 * process type while its quantity is above 0 ("spin down all non-web dynos (which continue to run,
 * even with maintenance mode enabled)"), and one-off dynos (`heroku run`, Scheduler jobs), which
 * nothing but their end or a stop ends. Follower lag, transactions, Heroku Connect polling and
 * pending rows all follow the timeline of the database they are about.
 */

/** Whether any writer of the app writes anywhere now (the sandbox's state page shows it). */
export function takesWrites(app: App): boolean {
  const running = (type: string) => (app.formation.find((f) => f.type === type)?.quantity ?? 0) > 0 && !(type === 'web' && app.maintenance);
  return app.writers.some((w) => running(w.processType)) || app.dynos.some((d) => d.state === 'up');
}

/** Re-reads the app's writers after a change of maintenance mode, formation or one-off dynos (writers.ts). */
export function noteWrites(world: World, app: App): void {
  noteWriters(world, app);
}

/** The timeline of the database behind an add-on. */
export function writesOf(world: World, addonId: string): readonly WriteChange[] {
  return world.writeLedger.timeline(addonId);
}

export function writingAt(timeline: readonly WriteChange[], at: number): boolean {
  return [...timeline].reverse().find((c) => c.at <= at)?.writing ?? false;
}

/** The timeline between two instants cut into spans of constant writing state. */
export function writeSpans(timeline: readonly WriteChange[], from: number, to: number): Array<{ ms: number; writing: boolean }> {
  const spans: Array<{ ms: number; writing: boolean }> = [];
  let cursor = from;
  let writing = writingAt(timeline, from);
  for (const change of timeline) {
    if (change.at <= from) continue;
    if (change.at >= to) break;
    spans.push({ ms: change.at - cursor, writing });
    cursor = change.at;
    writing = change.writing;
  }
  if (to > cursor) spans.push({ ms: to - cursor, writing });
  return spans;
}

/** How long the database was written between two instants. */
export function writingMs(timeline: readonly WriteChange[], from: number, to: number): number {
  return writeSpans(timeline, from, to).reduce((sum, s) => sum + (s.writing ? s.ms : 0), 0);
}
