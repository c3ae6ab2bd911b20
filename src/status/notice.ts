import type { StatusItem } from '../ops/heroku/status-feed.js';
import { trustMaintenanceUrl, type TrustMaintenance } from '../ops/heroku/trust.js';
import { classifyStatusItem, classifyTrustMaintenance } from './classifier.js';
import {
  herokuNoticeState,
  mentionsReschedule,
  newestTrustEvent,
  trustNoticeState,
  updatesNewestFirst,
  type NoticeState,
} from './notice-state.js';
import type { FeedSnapshot } from './sources.js';
import { overlaps } from './windows.js';
import { NO_WINDOW, parseRevisedEnd, parseWindow, type Confidence, type ParsedWindow } from './window-parser.js';

/** A Heroku Connect maintenance as the watcher tells it: the structured notice the bot renders. */
export interface MaintenanceNotice {
  /** Stable across sources and restarts: the first source id it was seen under, e.g. `heroku:2959`. */
  id: string;
  source: 'heroku' | 'trust';
  title: string;
  state: NoticeState;
  /** ISO 8601 in UTC, or null when the notice does not say (confidence `none`). */
  start: string | null;
  end: string | null;
  regions: string[];
  confidence: Confidence;
  link: string | null;
  /** Heroku's newest words, verbatim: parsing may fail, people can still read. */
  text: string;
}

export type NoticeFields = Omit<MaintenanceNotice, 'id'>;

/** A Connect maintenance seen in one poll, before it is matched with what the store knows. */
export interface ObservedNotice {
  /** Every id the sources know it by: `heroku:<item id>`, `trust:<maintenance id>`. */
  sourceIds: [string, ...string[]];
  /** Item id plus newest update id (docs/reference/heroku-status-feeds.md §8.4): a new key is a new update. */
  updateKey: string;
  notice: NoticeFields;
}

/** The Connect maintenance notices in a poll: Heroku items (with Trust times when one matches), then Trust-only ones. */
export function observeNotices(snapshot: FeedSnapshot, now: Date): ObservedNotice[] {
  const trust = (snapshot.trust ?? []).map((m) => ({ m, c: classifyTrustMaintenance(m) }));
  const trustForConnect = trust.filter((t) => t.c.connect);
  const matched = new Set<number>();

  const heroku: ObservedNotice[] = [];
  for (const { item, scheduled, listedNow } of herokuItems(snapshot)) {
    const c = classifyStatusItem(item, { scheduled });
    if (!c.connect || !c.maintenance) continue;
    let window = windowOf(item);
    // Trust has structured times: prefer them when it carries this maintenance (docs/reference/heroku-status-feeds.md §8.4).
    const match =
      trust.find((t) => t.m.externalId === String(item.id)) ??
      trustForConnect.find((t) => window.start && overlaps(window, new Date(t.m.plannedStartTime), new Date(t.m.plannedEndTime)));
    if (match) {
      matched.add(match.m.id);
      window = { start: new Date(match.m.plannedStartTime), end: new Date(match.m.plannedEndTime), confidence: 'high' };
    }
    const newest = updatesNewestFirst(item)[0];
    heroku.push({
      sourceIds: [`heroku:${item.id}`, ...(match ? [`trust:${match.m.id}`] : [])],
      updateKey: `${item.id}:${newest?.id ?? newest?.created_at ?? 'none'}`,
      notice: {
        source: 'heroku',
        title: item.title,
        state: herokuNoticeState(item, { end: window.end, listedNow, now }),
        start: window.start?.toISOString() ?? null,
        end: window.end?.toISOString() ?? null,
        // Heroku names regions more precisely than Trust's areas; Trust's fill in when Heroku names none.
        regions: c.regions.length > 0 ? c.regions : (match?.c.regions ?? []),
        confidence: window.confidence,
        link: item.full_url ?? `https://status.heroku.com/incidents/${item.id}`,
        text: newest?.contents ?? item.title,
      },
    });
  }

  const trustOnly = trustForConnect.filter((t) => !matched.has(t.m.id)).map(({ m, c }) => trustNotice(m, c.regions));
  return [...heroku, ...trustOnly];
}

interface HerokuEntry {
  item: StatusItem;
  scheduled: boolean;
  /** Listed by current-status now; null when current-status could not be read. */
  listedNow: boolean | null;
}

/** current-status items first (they carry updates), then history items not listed there. */
function herokuItems(snapshot: FeedSnapshot): HerokuEntry[] {
  const entries = new Map<number, HerokuEntry>();
  const { current } = snapshot;
  for (const item of current?.scheduled ?? []) entries.set(item.id, { item, scheduled: true, listedNow: true });
  for (const item of current?.incidents ?? []) if (!entries.has(item.id)) entries.set(item.id, { item, scheduled: false, listedNow: true });
  for (const item of snapshot.history ?? []) {
    if (!entries.has(item.id)) entries.set(item.id, { item, scheduled: false, listedNow: current ? false : null });
  }
  return [...entries.values()];
}

/**
 * The window from the newest text that states one (a reschedule is newer than the announcement;
 * the title comes last), moved by any later update that gives a new end ("complete around 19:45 UTC").
 */
function windowOf(item: StatusItem): ParsedWindow {
  const texts = [...updatesNewestFirst(item).map((u) => ({ text: u.contents, postedAt: u.created_at })), { text: item.title, postedAt: item.created_at }];
  for (const [i, { text, postedAt }] of texts.entries()) {
    const window = parseWindow(text, { postedAt: new Date(postedAt) });
    if (!window.start) {
      // Rescheduled to a time we cannot read: the older window is stale, so say we do not know.
      if (mentionsReschedule(text)) return NO_WINDOW;
      continue;
    }
    const start = window.start;
    const revisedEnd = texts
      .slice(0, i)
      .map((t) => parseRevisedEnd(t.text, start))
      .find((end) => end !== null);
    return revisedEnd ? { ...window, end: revisedEnd } : window;
  }
  return NO_WINDOW;
}

function trustNotice(m: TrustMaintenance, regions: string[]): ObservedNotice {
  const newest = newestTrustEvent(m);
  return {
    sourceIds: [`trust:${m.id}`],
    updateKey: `${m.id}:${newest?.id ?? newest?.createdAt ?? 'none'}`,
    notice: {
      source: 'trust',
      title: m.name,
      state: trustNoticeState(m),
      start: new Date(m.plannedStartTime).toISOString(),
      end: new Date(m.plannedEndTime).toISOString(),
      regions,
      confidence: 'high',
      link: trustMaintenanceUrl(m.id),
      text: m.additionalInformation || newest?.message || m.name,
    },
  };
}
