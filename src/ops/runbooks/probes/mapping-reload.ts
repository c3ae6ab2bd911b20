import type { Mapping } from '../../heroku/types.js';
import type { Ctx, RunbookDeps } from '../deps.js';
import { action, wait, type ActionStep, type WaitStep } from '../runbook.js';
import { readSide, refOf, type Side } from './connection-config.js';
import { describeMapping, mappingsOf, nearlyLoaded, type Objects } from './mapping-states.js';

/**
 * `connect:mapping:reload` (reference: Connect API sections 4 and 8): the table is truncated and
 * loaded again. Heroku keeps no record of a reload. Before the first request the mappings to reload
 * are fixed (every mapping means those the connection has then), and before each request the
 * mapping's `updated_at` is recorded: the reload has taken effect once the mapping is RELOAD_TABLE
 * or has moved on since.
 */

const DETAIL_CALL = 'GET /api/v3/connections/{id}?deep=true';

interface Reloads {
  objects: string[];
  /** `updated_at` of each mapping just before its reload was requested. */
  before: Record<string, string | null>;
}

const reloadsKey = (side: Side): string => `reloads:${side}`;
const reloadsOf = (ctx: Ctx, side: Side): Reloads | undefined => ctx.outputs[reloadsKey(side)] as Reloads | undefined;
const updatedAt = (mapping: Mapping): string | null => {
  const value = (mapping as Mapping & { updated_at?: unknown }).updated_at;
  return typeof value === 'string' ? value : null;
};

function reloaded(mapping: Mapping, reloads: Reloads): boolean {
  const key = mapping.object_name.toLowerCase();
  if (!(key in reloads.before)) return false;
  return mapping.state === 'RELOAD_TABLE' || updatedAt(mapping) !== reloads.before[key];
}

/** The recorded mappings to reload, as the connection has them now. */
async function reloadTargets(ctx: Ctx, side: Side, reloads: Reloads): Promise<Mapping[]> {
  return mappingsOf((await readSide(ctx, side)).mappings, reloads.objects);
}

/** "Account, Contact" or "every mapping", for step titles. */
function describeObjects(objects: Objects): string {
  return objects === 'all' ? 'every mapping' : `the ${objects.join(', ')} mapping${objects.length > 1 ? 's' : ''}`;
}

/**
 * Action: reload the mappings. With several mappings the requests go one at a time, each skipped
 * once it has taken effect, so a step resumed after a crash sends only those that are missing.
 */
export function reloadStep(side: Side, objects: Objects, title = `Reload ${describeObjects(objects)}`): ActionStep<RunbookDeps, unknown> {
  return action(title, {
    do: async (ctx) => {
      const { mappings } = await readSide(ctx, side);
      const reloads = reloadsOf(ctx, side) ?? { objects: mappingsOf(mappings, objects).map((m) => m.object_name), before: {} };
      for (const mapping of mappingsOf(mappings, reloads.objects)) {
        if (reloaded(mapping, reloads)) continue;
        reloads.before = { ...reloads.before, [mapping.object_name.toLowerCase()]: updatedAt(mapping) };
        await ctx.record(reloadsKey(side), reloads);
        await ctx.deps.connect.reloadMapping(refOf(ctx, side), mapping);
      }
    },
    done: async (ctx) => {
      const reloads = reloadsOf(ctx, side);
      return reloads !== undefined && (await reloadTargets(ctx, side, reloads)).every((m) => reloaded(m, reloads));
    },
    calls: [DETAIL_CALL, 'POST /api/v3/mappings/{id}/actions/reload'],
  });
}

/** Wait: each reloaded mapping has loaded its table again and is DATA_SYNCED. */
export function reloadFinishedStep(side: Side, title: string): WaitStep<RunbookDeps, unknown> {
  return wait(
    title,
    async (ctx) => {
      const reloads = reloadsOf(ctx, side);
      if (!reloads) throw new Error('No reload was recorded by an earlier step');
      const behind = (await reloadTargets(ctx, side, reloads)).filter((m) => m.state !== 'DATA_SYNCED' || !reloaded(m, reloads));
      if (behind.length === 0) return { done: true };
      return { done: false, progress: behind.map(describeMapping).join(', '), near: nearlyLoaded(behind) };
    },
    {
      every: '30s',
      max: '10m',
      timeout: '72h',
      expect: ['1m', '12h'],
      calls: [DETAIL_CALL],
      next: 'The reload is still running: follow it with `heroku connect:info`, start the runbook again to keep waiting.',
    },
  );
}
