import { api } from '../../heroku/calls.js';
import { mutation, type Fn } from '../deps.js';
import { required } from '../outputs.js';
import { PROMOTED_ATTACHMENT } from '../reads/cutover.js';

/**
 * `pg:promote` of the run's new database, step 4 of the Heroku CLI's promote
 * (docs/reference/heroku-platform-and-postgres-api.md, "Attachments and promote"): attach it as
 * DATABASE, which replaces the old database's DATABASE_URL. Step 2, keeping the old database
 * reachable, is mutations/attachments.ts.
 */
export const promoteNewDatabase: Fn<void> = mutation([api.platform.createAttachment], async (ctx) => {
  await ctx.deps.platform.createAttachment({ addon: required(ctx, 'newDatabase').name, app: ctx.app, name: PROMOTED_ATTACHMENT, namespace: null, confirm: ctx.app });
});
