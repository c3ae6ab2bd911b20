import { withPriority } from '../ops/request-priority.js';
import type { BotPorts } from './ports.js';

/**
 * Reads of live state shared for a few seconds: twenty people asking `/connect status acme-prod`
 * at once cost Heroku one read, and so does one person asking twenty times. A failed read is not
 * kept, so the next ask tries again. A plan's cutover discovery (`/connect plan`, the plan card
 * before a run exists) is such a read too: shared by app, and made at `read` priority so that its
 * Heroku calls spend the reads' share and never the reserve a run needs (ops/limits.ts).
 */
export function sharedReads(ports: BotPorts, options: { ttlMs?: number; clock?: () => Date } = {}): BotPorts {
  const ttl = options.ttlMs ?? 5_000;
  const now = () => (options.clock ?? (() => new Date()))().getTime();
  const kept = new Map<string, { until: number; value: Promise<unknown> }>();

  function shared<T>(key: string, read: () => Promise<T>): Promise<T> {
    const hit = kept.get(key);
    if (hit && hit.until > now()) return hit.value as Promise<T>;
    // Expired entries go as new ones come, so the map holds at most the keys read within the TTL.
    for (const [k, entry] of kept) if (entry.until <= now()) kept.delete(k);
    const value = read();
    const entry = { until: now() + ttl, value: value as Promise<unknown> };
    kept.set(key, entry);
    value.catch(() => {
      if (kept.get(key) === entry) kept.delete(key);
    });
    return value;
  }

  const discover = ports.consumers?.bind(ports);
  return {
    ...ports,
    appStatus: (app) => shared(`status:${app}`, () => ports.appStatus(app)),
    upcomingWindows: () => shared('maintenance', () => ports.upcomingWindows()),
    consumers: discover && ((app, runbook) => shared(`consumers:${app}:${runbook ?? ''}`, () => withPriority('read', () => discover(app, runbook)))),
  };
}
