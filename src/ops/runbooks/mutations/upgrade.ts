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

/** The output a test upgrade's answer is recorded under: the API shows nothing else of it. */
export const DRY_RUN_STARTED = 'dryRunStarted';

/**
 * `pg:upgrade:dryrun` (Standard tier and higher leaders): a test upgrade on a copy, whose result
 * Heroku emails. Its answer is its proof, recorded once it came: a crash in between asks again,
 * which costs a second email at worst.
 */
export function dryRunUpgrade(version: number | undefined): Fn<void> {
  return mutation([connectDatabase, api.data.upgradeDryRun], async (ctx) => {
    await ctx.record(DRY_RUN_STARTED, await ctx.deps.data.upgradeDryRun(await connectDatabase(ctx), { version: version?.toString() }));
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
