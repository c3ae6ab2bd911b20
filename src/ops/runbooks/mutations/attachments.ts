import { api } from '../../heroku/calls.js';
import { mutation, type Fn } from '../deps.js';
import { required } from '../outputs.js';

/**
 * Step 2 of the Heroku CLI's `pg:promote` (docs/reference/heroku-platform-and-postgres-api.md,
 * "Attachments and promote"): "Keep the old DB reachable". Without a name, Heroku Postgres gives the
 * old database a `HEROKU_POSTGRESQL_<COLOR>` attachment of its own, which survives the promote.
 */
export const keepOldDatabaseAttached: Fn<void> = mutation([api.platform.createAttachment], async (ctx) => {
  await ctx.deps.platform.createAttachment({ addon: required(ctx, 'database').addonName, app: ctx.app, confirm: ctx.app });
});
