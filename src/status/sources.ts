import ms from 'ms';
import type { CurrentStatus, StatusFeedClient, StatusItem } from '../ops/heroku/status-feed.js';
import type { TrustClient, TrustMaintenance } from '../ops/heroku/trust.js';

/**
 * Reads every status source for one poll. A failing source never stops the others: its part of the
 * snapshot is null, and the failure is reported once when it starts and once when it ends.
 */

export interface StatusSources {
  status: StatusFeedClient;
  trust: TrustClient;
}

/** One poll of every source; null where a source could not be read this time. */
export interface FeedSnapshot {
  current: CurrentStatus | null;
  history: StatusItem[] | null;
  trust: TrustMaintenance[] | null;
}

export type FeedName = 'heroku current-status' | 'heroku incidents' | 'trust maintenances';

/** The little of a logger the watcher uses; a pino Logger is one. */
export interface StatusLog {
  info(detail: object, message: string): void;
  warn(detail: object, message: string): void;
  error(detail: object, message: string): void;
}

/** Remembers which sources are failing, so a source down for a day is one warning, not 288. */
export class FeedHealth {
  private readonly failing = new Map<FeedName, string>();

  constructor(private readonly log?: Pick<StatusLog, 'info' | 'warn'>) {}

  succeeded(feed: FeedName): void {
    if (!this.failing.delete(feed)) return;
    this.log?.info({ feed }, `${feed} can be read again`);
  }

  failed(feed: FeedName, error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    if (!this.failing.has(feed)) this.log?.warn({ feed, reason }, `${feed} cannot be read; polling goes on, and its recovery will be reported`);
    this.failing.set(feed, reason);
  }

  /** The sources failing now, with the latest reason. */
  failures(): ReadonlyMap<FeedName, string> {
    return this.failing;
  }
}

/**
 * Trust is asked from the start of yesterday (UTC): running maintenances are included, and the URL
 * stays the same all day so conditional requests can answer 304.
 */
export function trustStartTime(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - ms('1d'));
}

export async function readFeeds(sources: StatusSources, now: Date, health: FeedHealth): Promise<FeedSnapshot> {
  const read = async <T>(feed: FeedName, fetch: () => Promise<T>): Promise<T | null> => {
    try {
      const value = await fetch();
      health.succeeded(feed);
      return value;
    } catch (error) {
      health.failed(feed, error);
      return null;
    }
  };
  const [current, history, trust] = await Promise.all([
    read('heroku current-status', () => sources.status.currentStatus()),
    read('heroku incidents', () => sources.status.incidents()),
    read('trust maintenances', () => sources.trust.maintenances({ startTime: trustStartTime(now) })),
  ]);
  return { current, history, trust };
}
