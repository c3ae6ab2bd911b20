import type { CutoverGuard, Engine, RunView } from './ops/engine/types.js';
import { overlaps, upcomingWindows, type MaintenanceWindow } from './status/index.js';
import type { Store } from './store/index.js';

/**
 * Glue between the watcher and the engine: the guard that holds a cutover inside an announced
 * window, and the check that warns runs of windows announced after they started.
 */

/**
 * After each poll, a run whose cutover is still ahead (waiting for approval, scheduled, or running
 * before writes resume) and overlaps an announced
 * Heroku Connect window is warned in its thread. The warning is posted once per run and window.
 */

/** How long a cutover is assumed to take when its plan gives no downtime estimate. */
const DEFAULT_CUTOVER_MS = 60 * 60_000;
const CUTOVER_AHEAD: ReadonlySet<RunView['status']> = new Set(['pending', 'running', 'awaiting_approval', 'awaiting_manual', 'scheduled']);

export type TimedWindow = MaintenanceWindow & { start: Date; end: Date };

export interface OverlapWarningOptions {
  store: Store;
  engine: Engine;
  warn: (run: RunView, window: TimedWindow) => void;
}

export function cutoverOverlapCheck(options: OverlapWarningOptions): (now: Date) => Promise<void> {
  return async (now) => {
    // `now` is the watcher's clock (the simulated one in the sandbox); runs are on the wall clock.
    const offset = now.getTime() - Date.now();
    const windows = await timedWindows(options.store, now);
    if (windows.length === 0) return;
    for (const run of await options.engine.listRuns({ active: true })) {
      if (!CUTOVER_AHEAD.has(run.status) || run.downtime?.endedAt) continue;
      const from = Math.max(now.getTime(), run.notBefore ? new Date(run.notBefore).getTime() + offset : 0);
      const to = from + cutoverLength(options.engine, run);
      for (const window of windows) if (overlaps(window, new Date(from), new Date(to))) options.warn(run, window);
    }
  };
}

function cutoverLength(engine: Engine, run: RunView): number {
  try {
    const expected = engine.plan(run.runbook, run.params, run.app).expectedDowntime;
    return expected ? expected.maxMinutes * 60_000 : DEFAULT_CUTOVER_MS;
  } catch {
    return DEFAULT_CUTOVER_MS; // the runbook no longer renders these parameters; assume an hour
  }
}

/** Holds a cutover that would overlap an announced Heroku Connect maintenance window. */
export function maintenanceGuard(store: Store, clock: () => Date = () => new Date()): CutoverGuard {
  return async (_app, from, to) => {
    const now = clock();
    // The engine speaks wall-clock time; the windows are on the watcher's clock (simulated in the sandbox).
    const offset = now.getTime() - Date.now();
    const [start, end] = [new Date(from.getTime() + offset), new Date(to.getTime() + offset)];
    const hit = (await timedWindows(store, now)).find((w) => overlaps(w, start, end));
    // Back on the engine's clock: it sleeps until the window's end, and shows it beside its own times.
    const engineTime = (at: Date) => new Date(at.getTime() - offset);
    return hit ? { title: hit.title, start: engineTime(hit.start), end: engineTime(hit.end), link: hit.link } : null;
  };
}

/** Upcoming windows whose times are known: one whose times could not be read holds nothing. */
async function timedWindows(store: Store, now: Date): Promise<TimedWindow[]> {
  return (await upcomingWindows(store, now)).filter((w): w is TimedWindow => w.start !== null && w.end !== null);
}
