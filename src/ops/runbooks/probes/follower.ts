import { behindBy } from '../../heroku/data.js';
import type { Probe, RunbookDeps } from '../deps.js';
import { action, wait, type ActionStep, type WaitResult, type WaitStep } from '../runbook.js';
import { newDatabaseId } from './addons.js';

/**
 * The follower of a changeover (reference section 10): it catches up while the app writes, reaches
 * `0 commits` behind once writes stop, then stops following (by unfollow, or by pg:upgrade:run).
 */

/** "A caught-up follower is generally within 200 commits." */
const CAUGHT_UP = 200;

/** Follower lag as `pg:info` prints it: "Behind By 1,204 commits". */
function lagProgress(lag: number | undefined): string {
  return lag === undefined ? 'Behind By: not reported yet' : `Behind By ${lag.toLocaleString('en-US')} commits`;
}

/** Lag is unknown until Heroku reports it, and unknown lag is not zero lag. */
function lagAtMost(commits: number): Probe<WaitResult> {
  return async (ctx) => {
    const lag = behindBy(await ctx.deps.data.database(await newDatabaseId(ctx)));
    if (lag !== undefined && lag <= commits) return { done: true };
    return { done: false, progress: lagProgress(lag), near: lag !== undefined && lag <= Math.max(commits, CAUGHT_UP) * 10 };
  };
}

const LAG_CALL = 'GET /client/v11/databases/{id}';

export function followerCaughtUpStep(): WaitStep<RunbookDeps, unknown> {
  return wait(`Wait until the follower is within ${CAUGHT_UP} commits of its leader`, lagAtMost(CAUGHT_UP), {
    every: '1m',
    max: '5m',
    timeout: '24h',
    expect: ['10m', '8h'],
    calls: [LAG_CALL],
    next: 'The follower is still far behind: check `heroku pg:info` for its lag, then start again or roll back.',
  });
}

export function followerInSyncStep(): WaitStep<RunbookDeps, unknown> {
  return wait('Wait until the follower is 0 commits behind', lagAtMost(0), {
    every: '10s',
    max: '1m',
    timeout: '1h',
    expect: ['10s', '15m'],
    calls: [LAG_CALL],
    next: 'The follower did not reach 0 commits: something still writes to the leader (a one-off dyno, a scheduler job, another app?). Stop it, or roll back.',
  });
}

const following: Probe<boolean> = async (ctx) => Boolean((await ctx.deps.data.database(await newDatabaseId(ctx))).following);

/** `pg:unfollow`: idempotent (PUT), so a repeat after a crash does no harm. */
export function unfollowStep(): ActionStep<RunbookDeps, unknown> {
  return action('Stop the follower following its leader (pg:unfollow)', {
    do: async (ctx) => {
      await ctx.deps.data.unfollow(await newDatabaseId(ctx));
    },
    done: async (ctx) => !(await following(ctx)),
    calls: ['PUT /client/v11/databases/{id}/unfollow'],
  });
}

const unfollowed: Probe<WaitResult> = async (ctx) => ((await following(ctx)) ? { done: false, progress: 'Still following its leader', near: true } : { done: true });

export function unfollowedStep(): WaitStep<RunbookDeps, unknown> {
  return wait('Wait until the follower has stopped following', unfollowed, {
    every: '10s',
    max: '1m',
    timeout: '30m',
    expect: ['10s', '5m'],
    calls: [LAG_CALL],
    next: 'The database still follows its leader: check `heroku pg:info`, then start again or roll back.',
  });
}
