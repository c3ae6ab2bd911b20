import { api } from '../../heroku/calls.js';
import { mutation, type Fn } from '../deps.js';
import { REF_CALLS, refOf, type Who } from '../reads/connection.js';

/**
 * `connect:recover` (docs/reference/heroku-connect-api.md, "Connection states"): `actions/restart`
 * "clears errors and attempts to resume sync operations"; the connection goes through RECOVERY.
 */
export function restart(who: Who): Fn<void> {
  return mutation([...REF_CALLS, api.connect.restart], async (ctx) => {
    await ctx.deps.connect.restart(await refOf(ctx, who.side));
  });
}
