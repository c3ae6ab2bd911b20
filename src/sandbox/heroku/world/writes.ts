import type { App } from './apps.js';
import { noteWriters } from './writers.js';
import type { World } from './world.js';

/**
 * Whether an app is writing to its databases. Maintenance mode alone does not stop writes, because
 * worker dynos "continue to run, even with maintenance mode enabled": writes stop only when
 * maintenance mode is on AND the worker formation is at 0. Follower lag, Heroku Connect polling and
 * pending rows all follow this timeline.
 */
export interface WriteChange {
  at: number;
  writing: boolean;
}

export function takesWrites(app: App): boolean {
  const workers = app.formation.find((f) => f.type === 'worker')?.quantity ?? 0;
  // One-off dynos (`heroku run`, Scheduler jobs) write through maintenance mode.
  return !(app.maintenance && workers === 0) || app.dynos.some((d) => d.state === 'up');
}

/** Records a change of writing state (call after maintenance mode, formation or one-off dyno changes), and in the ledger of writers.ts. */
export function noteWrites(world: World, app: App): void {
  const writing = takesWrites(app);
  if (app.writes.at(-1)?.writing !== writing) app.writes.push({ at: world.clock.now(), writing });
  noteWriters(world, app);
}

export function writingAt(app: App, at: number): boolean {
  return [...app.writes].reverse().find((c) => c.at <= at)?.writing ?? true;
}

/** The timeline between two instants cut into spans of constant writing state. */
export function writeSpans(app: App, from: number, to: number): Array<{ ms: number; writing: boolean }> {
  const spans: Array<{ ms: number; writing: boolean }> = [];
  let cursor = from;
  let writing = writingAt(app, from);
  for (const change of app.writes) {
    if (change.at <= from) continue;
    if (change.at >= to) break;
    spans.push({ ms: change.at - cursor, writing });
    cursor = change.at;
    writing = change.writing;
  }
  if (to > cursor) spans.push({ ms: to - cursor, writing });
  return spans;
}

/** How long the app was writing between two instants. */
export function writingMs(app: App, from: number, to: number): number {
  return writeSpans(app, from, to).reduce((sum, s) => sum + (s.writing ? s.ms : 0), 0);
}
