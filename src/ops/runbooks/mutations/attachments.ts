import { api } from '../../heroku/calls.js';
import { mutation, type Fn } from '../deps.js';
import { required } from '../outputs.js';
import { keptName, recordReleaseBaseline } from '../reads/names.js';

/**
 * Step 2 of the Heroku CLI's `pg:promote` (docs/reference/heroku-platform-and-postgres-api.md,
 * "Attachments and promote"): "Keep the old DB reachable". pg:promote does it only when the old
 * database has no other name; a cutover that moves every name (reads/names.ts) always needs one
 * that stays, so the run gives it one of its own (`OLD_DATABASE_<run>`), found again after a crash.
 * It is the first name the cutover changes: the release baseline is recorded before it.
 */
export const keepOldDatabaseAttached: Fn<void> = mutation([api.platform.releases, api.platform.createAttachment], async (ctx) => {
  await recordReleaseBaseline(ctx);
  await ctx.deps.platform.createAttachment({ addon: required(ctx, 'database').addonName, app: ctx.app, name: keptName(ctx), namespace: null, confirm: ctx.app });
});
