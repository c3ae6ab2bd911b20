import type { Store } from '../store/index.js';
import type { Confidence } from './window-parser.js';

/** Announced Heroku Connect maintenance windows, as the engine asks about them before a cutover. */

export interface MaintenanceWindow {
  /** The notice's stable id, e.g. `heroku:2959`. */
  id: string;
  title: string;
  /** Null when the notice does not say when (confidence `none`). */
  start: Date | null;
  end: Date | null;
  regions: string[];
  confidence: Confidence;
  link: string | null;
}

/** Announced Connect windows that are not finished: not complete, not cancelled, and not over by the clock. */
export async function upcomingWindows(store: Store, now: Date): Promise<MaintenanceWindow[]> {
  const rows = await store.db
    .selectFrom('maintenance_notices')
    .select(['id', 'title', 'starts_at', 'ends_at', 'regions', 'confidence', 'data'])
    .where('state', 'not in', ['complete', 'cancelled'])
    .where((eb) => eb.or([eb('ends_at', 'is', null), eb('ends_at', '>', now.toISOString())]))
    .execute();
  const windows = rows.map((r) => ({
    id: r.id,
    title: r.title,
    start: r.starts_at ? new Date(r.starts_at) : null,
    end: r.ends_at ? new Date(r.ends_at) : null,
    regions: JSON.parse(r.regions) as string[],
    confidence: r.confidence as Confidence,
    link: (JSON.parse(r.data) as { link: string | null }).link,
  }));
  // Soonest first; unknown times last (SQLite and Postgres order nulls differently).
  const startOf = (w: MaintenanceWindow) => w.start?.getTime() ?? Number.POSITIVE_INFINITY;
  return windows.sort((a, b) => startOf(a) - startOf(b));
}

/**
 * Whether a window and the interval [from, to) share any time. A window whose time is unknown is
 * taken to overlap: an announced Connect maintenance at an unknown time may well collide.
 */
export function overlaps(window: Pick<MaintenanceWindow, 'start' | 'end'>, from: Date, to: Date): boolean {
  if (!window.start || !window.end) return true;
  return window.start < to && from < window.end;
}
