import { api } from '../../heroku/calls.js';
import { mutation, type Fn } from '../deps.js';
import { connectDatabase, type Target } from '../reads/upgrade.js';

/**
 * pg:upgrade (docs/reference/heroku-platform-and-postgres-api.md, "Version upgrades"): prepare on a
 * Standard+ leader, run on a prepared leader or on a follower (which unfollows first), and cancel a
 * prepared one.
 */

/** `pg:upgrade:prepare`: Heroku schedules the upgrade for the next maintenance window. */
export function prepareUpgrade(version: number | undefined): Fn<void> {
  return mutation([connectDatabase, api.data.upgradePrepare], async (ctx) => {
    await ctx.deps.data.upgradePrepare(await connectDatabase(ctx), { version: version?.toString() });
  });
}

/** `pg:upgrade:cancel`: a prepared upgrade would run by itself at the next maintenance window. */
export const cancelUpgrade: Fn<void> = mutation([connectDatabase, api.data.upgradeCancel], async (ctx) => {
  await ctx.deps.data.upgradeCancel(await connectDatabase(ctx));
});

/** `pg:upgrade:run` on the target. */
export function runUpgrade(target: Target, version: number | undefined): Fn<void> {
  return mutation([target, api.data.upgradeRun], async (ctx) => {
    await ctx.deps.data.upgradeRun(await target(ctx), { version: version?.toString() });
  });
}
