import { api } from '../../heroku/calls.js';
import { mutation, type Fn } from '../deps.js';
import { readSide, REF_CALLS, refOf, type Who } from '../reads/connection.js';
import { mappingsOf, type Objects } from '../reads/mappings.js';
import { reloaded, reloadsKey, reloadsOf, updatedAt } from '../reads/reload.js';

/**
 * `connect:mapping:reload` of each mapping named (or every one): the table is truncated and loaded
 * again. The requests go one at a time, each skipped once it has taken effect, so a step resumed
 * after a crash sends only those that are missing (reads/reload.ts keeps the record).
 */
export function reloadMappings(who: Who, objects: Objects): Fn<void> {
  return mutation([readSide(who.side), ...REF_CALLS, api.connect.reloadMapping], async (ctx) => {
    const { mappings } = await readSide(who.side)(ctx);
    const reloads = reloadsOf(ctx, who.side) ?? { objects: mappingsOf(mappings, objects).map((m) => m.object_name), before: {} };
    for (const mapping of mappingsOf(mappings, reloads.objects)) {
      if (reloaded(mapping, reloads)) continue;
      reloads.before = { ...reloads.before, [mapping.object_name.toLowerCase()]: updatedAt(mapping) };
      await ctx.record(reloadsKey(who.side), reloads);
      await ctx.deps.connect.reloadMapping(await refOf(ctx, who.side), mapping);
    }
  });
}
