import { api } from '../../heroku/calls.js';
import { mutation, type Fn } from '../deps.js';
import { REF_CALLS, refOf, type Who } from '../reads/connection.js';

/**
 * `connect:resume` on either connection (Dev Center "Managing Heroku Connect Sync and Connections",
 * "Resume a Connection"): "Heroku Connect continues where it left off", sending what piled up in
 * its trigger log while it was paused.
 */
export function resume(who: Who): Fn<void> {
  return mutation([...REF_CALLS, api.connect.resume], async (ctx) => {
    await ctx.deps.connect.resume(await refOf(ctx, who.side));
  });
}
