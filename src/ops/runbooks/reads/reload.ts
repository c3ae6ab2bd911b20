import type { Mapping } from '../../heroku/types.js';
import { read, type Ctx, type Fn } from '../deps.js';
import type { WaitResult } from '../runbook.js';
import { readSide, type Side, type Who } from './connection.js';
import { describeMapping, mappingsOf, nearlyLoaded } from './mappings.js';

/**
 * `connect:mapping:reload` (docs/reference/heroku-connect-api.md, "Mapping states" and "Polling and
 * stop conditions"): the table is truncated and loaded again. Heroku keeps no record of a reload,
 * so the run keeps its own: before the first request the mappings to reload are fixed (every
 * mapping means those the connection has then), and before each request the mapping's
 * `updated_at` is recorded. A reload has taken effect once the mapping is RELOAD_TABLE or has moved
 * on since.
 */

export interface Reloads {
  objects: string[];
  /** `updated_at` of each mapping just before its reload was requested. */
  before: Record<string, string | null>;
}

export const reloadsKey = (side: Side): string => `reloads:${side}`;
export const reloadsOf = (ctx: Ctx, side: Side): Reloads | undefined => ctx.outputs[reloadsKey(side)] as Reloads | undefined;

export const updatedAt = (mapping: Mapping): string | null => {
  const value = (mapping as Mapping & { updated_at?: unknown }).updated_at;
  return typeof value === 'string' ? value : null;
};

export function reloaded(mapping: Mapping, reloads: Reloads): boolean {
  const key = mapping.object_name.toLowerCase();
  if (!(key in reloads.before)) return false;
  return mapping.state === 'RELOAD_TABLE' || updatedAt(mapping) !== reloads.before[key];
}

/** Done probe of the reload: every recorded mapping has been reloaded. */
export function allReloaded(who: Who): Fn<boolean> {
  return read([readSide(who.side)], async (ctx) => {
    const reloads = reloadsOf(ctx, who.side);
    if (!reloads) return false;
    return mappingsOf((await readSide(who.side)(ctx)).mappings, reloads.objects).every((m) => reloaded(m, reloads));
  });
}

/** Wait: each reloaded mapping has loaded its table again and is DATA_SYNCED. */
export function reloadFinished(who: Who): Fn<WaitResult> {
  return read([readSide(who.side)], async (ctx) => {
    const reloads = reloadsOf(ctx, who.side);
    if (!reloads) throw new Error('No reload was recorded by an earlier step');
    const behind = mappingsOf((await readSide(who.side)(ctx)).mappings, reloads.objects).filter((m) => m.state !== 'DATA_SYNCED' || !reloaded(m, reloads));
    if (behind.length === 0) return { done: true };
    return { done: false, progress: behind.map(describeMapping).join(', '), near: nearlyLoaded(behind) };
  });
}
