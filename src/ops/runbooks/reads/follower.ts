import { api } from '../../heroku/calls.js';
import { behindBy } from '../../heroku/data.js';
import { read, type Fn } from '../deps.js';
import type { WaitResult } from '../runbook.js';
import { newDatabaseId } from './new-database.js';

/**
 * The follower of a changeover (docs/reference/heroku-platform-and-postgres-api.md, "Follower
 * changeover, as API calls"): it catches up while the app writes, and reaches `0 commits` behind
 * once writes stop. Lag is unknown until Heroku reports it, and unknown lag is not zero lag.
 */

/** "A caught-up follower is generally within 200 commits." */
export const CAUGHT_UP = 200;

/** Follower lag as `pg:info` prints it: "Behind By 1,204 commits". */
function lagProgress(lag: number | undefined): string {
  return lag === undefined ? 'Behind By: not reported yet' : `Behind By ${lag.toLocaleString('en-US')} commits`;
}

/** Wait: the follower is at most `commits` behind its leader. */
export function lagAtMost(commits: number): Fn<WaitResult> {
  return read([newDatabaseId, api.data.database], async (ctx) => {
    const lag = behindBy(await ctx.deps.data.database(await newDatabaseId(ctx)));
    if (lag !== undefined && lag <= commits) return { done: true };
    // Lag drains at a rate the engine measures (replay once writes stop): it polls densely only when 0 is near.
    return { done: false, progress: lagProgress(lag), remaining: lag === undefined ? undefined : lag - commits };
  });
}

/** Whether the new database still follows its leader. */
export const stillFollowing: Fn<boolean> = read([newDatabaseId, api.data.database], async (ctx) => Boolean((await ctx.deps.data.database(await newDatabaseId(ctx))).following));

/** Wait: the follower has stopped following (`following` is gone from `pg:info`). */
export const unfollowed: Fn<WaitResult> = read([stillFollowing], async (ctx) =>
  (await stillFollowing(ctx)) ? { done: false, progress: 'Still following its leader' } : { done: true },
);
