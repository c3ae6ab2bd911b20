import type { StatusItem } from '../ops/heroku/status-feed.js';
import type { TrustMaintenance } from '../ops/heroku/trust.js';
import { regionsIn, regionsOfTags, regionsOfTrustInstances } from './regions.js';

/**
 * Whether a status notice is maintenance that concerns Heroku Connect, and where. Until mid-2023
 * titles said "Heroku Connect"; later titles are generic ("Heroku Platform Maintenance"), so the
 * updates' contents count as well (docs/reference/heroku-status-feeds.md §8.2, §8.4).
 */

export interface Classification {
  /** The notice names Heroku Connect. */
  connect: boolean;
  /** The notice is planned work rather than an incident. */
  maintenance: boolean;
  regions: string[];
}

const HEROKU_CONNECT = /\bheroku connect\b/i;
// "Connect" near "sync", capitalised so the verb does not count.
const CONNECT_NEAR_SYNC = /\bConnect\b[^.]{0,60}\bsync|\bsync[^.]{0,60}\bConnect\b/;
const MAINTENANCE_TITLE = /\bmaintenance\b|\bservice update\b/i;
/** `scheduled` announces work; `maintenance` reports it running (docs/reference/heroku-status-feeds.md §5.3). */
const MAINTENANCE_UPDATE_TYPES = new Set(['scheduled', 'maintenance']);

export function mentionsConnect(text: string): boolean {
  return HEROKU_CONNECT.test(text) || CONNECT_NEAR_SYNC.test(text);
}

/** Classifies a v4 item; `scheduled` says it was listed in `current-status` `scheduled[]`. */
export function classifyStatusItem(item: StatusItem, options: { scheduled: boolean }): Classification {
  const contents = item.updates.map((u) => u.contents);
  return {
    connect: mentionsConnect(item.title) || contents.some(mentionsConnect),
    maintenance:
      options.scheduled ||
      MAINTENANCE_TITLE.test(item.title) ||
      item.updates.some((u) => MAINTENANCE_UPDATE_TYPES.has(u.update_type)),
    regions: regionsOfItem(item, contents),
  };
}

/**
 * The regions the title names, else those the text names, else the 2026 area tags: a named region
 * is more precise than an area ("[Virginia]" tagged NA must not reach a team in Oregon).
 */
function regionsOfItem(item: StatusItem, contents: string[]): string[] {
  const named = regionsIn(item.title);
  if (named.length > 0) return named;
  const inText = regionsIn(contents.join('\n'));
  return inText.length > 0 ? inText : regionsOfTags(item.tags ?? []);
}

export function classifyTrustMaintenance(m: TrustMaintenance): Classification {
  const text = [m.name, m.additionalInformation ?? '', ...m.MaintenanceEvents.map((e) => e.message ?? '')].join('\n');
  return {
    connect: mentionsConnect(text) || m.serviceKeys.some((k) => /connect/i.test(k)),
    maintenance: true,
    regions: regionsIn(m.name).length > 0 ? regionsIn(m.name) : regionsOfTrustInstances(m.instanceKeys),
  };
}

/** What a single text says on its own, for `connect-ops maintenance parse`. */
export function classifyText(text: string): Pick<Classification, 'connect' | 'regions'> {
  return { connect: mentionsConnect(text), regions: regionsIn(text) };
}
