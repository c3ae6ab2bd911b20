import { api } from '../../heroku/calls.js';
import { mutation, type Fn } from '../deps.js';
import { required } from '../outputs.js';
import { namesLeftToMove, recordReleaseBaseline } from '../reads/names.js';

/**
 * Every other name of the old database, on every app, re-attached to the new database under the
 * same name and in the same namespace, with `confirm` (the replacement of an attachment in use):
 * pg:promote step 5 for `DATABASE_CONNECTION_POOL` in `connection-pooling:default`, and
 * `heroku addons:attach NEW --as NAME --confirm APP` for the color names, the names given with
 * `--as` and the other apps' names (heroku/cli src/commands/pg/promote.ts, src/commands/addons/attach.ts).
 * What is left is read first, so a `do` repeated after a crash sends only the attachments that have
 * not taken effect: each once.
 */
export const moveEveryName: Fn<void> = mutation([namesLeftToMove, api.platform.releases, api.platform.createAttachment], async (ctx) => {
  await recordReleaseBaseline(ctx);
  const addon = required(ctx, 'newDatabase').name;
  for (const { app, name, namespace } of await namesLeftToMove(ctx)) {
    await ctx.deps.platform.createAttachment({ addon, app, name, namespace, confirm: app });
  }
});
