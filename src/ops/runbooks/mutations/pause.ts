import { api } from '../../heroku/calls.js';
import { isConflict } from '../../heroku/errors.js';
import { mutation, type Fn } from '../deps.js';
import { Refused } from '../runbook.js';
import { pauseRequestedKey } from '../reads/connection-state.js';
import { Named, readSide, REF_CALLS, refOf, type Who } from '../reads/connection.js';

/**
 * `connect:pause` on either connection (Dev Center "Managing Heroku Connect Sync and Connections",
 * "Pause a Connection"): "Connections can only be paused when they are in the IDLE state". A
 * connection that is not IDLE is refused without a request; one that starts polling between the
 * read and the request answers 409. Both are `Refused`: the step tries again once it is IDLE, until
 * its timeout. It records that it asked first, as a connection that was asked finishes its pending
 * operations showing POLLING_DB_CHANGES, like one that polls; a 409 paused nothing, and takes the record back.
 */
export function pause(who: Who): Fn<void> {
  const requested = pauseRequestedKey(who.side);
  return mutation([readSide(who.side), ...REF_CALLS, api.connect.pause], async (ctx) => {
    const { state } = await readSide(who.side)(ctx);
    if (state !== 'IDLE') throw new Refused(`${Named(who)} is ${state}: it can be paused only once it is IDLE.`);
    await ctx.record(requested, true);
    try {
      await ctx.deps.connect.pause(await refOf(ctx, who.side));
    } catch (error) {
      if (!isConflict(error)) throw error;
      await ctx.record(requested, false);
      throw new Refused(`${Named(who)} refused the pause (409: ${error instanceof Error ? error.message : String(error)}); it was no longer IDLE.`);
    }
  });
}
