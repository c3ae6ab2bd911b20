import { api } from '../../heroku/calls.js';
import { mutation, type Fn } from '../deps.js';
import { record, required } from '../outputs.js';
import { StepFailed } from '../runbook.js';
import { newDatabaseId } from '../reads/new-database.js';

/**
 * `pg:copy` from the Connect database to the run's new one (docs/reference/heroku-platform-and-postgres-api.md,
 * "Transfers"), named by the new database's config var so that reads/transfer.ts finds it without its uuid.
 */
export const copyData: Fn<void> = mutation([api.platform.configVars, newDatabaseId, api.data.createTransfer], async (ctx) => {
  const from = required(ctx, 'database');
  const to = required(ctx, 'newDatabase');
  const vars = await ctx.deps.platform.configVars(ctx.app);
  const fromUrl = vars[from.configVar];
  const toUrl = vars[to.configVar];
  if (!fromUrl || !toUrl) {
    const missing = fromUrl ? to.configVar : from.configVar;
    throw new StepFailed(`Config var ${missing} is missing on ${ctx.app}: there is nothing to copy ${fromUrl ? 'to' : 'from'}.`, {
      next: `Check the app's databases with \`heroku pg:info -a ${ctx.app}\` and \`heroku config -a ${ctx.app}\`, then roll back.`,
    });
  }
  const transfer = await ctx.deps.data.createTransfer(await newDatabaseId(ctx), { from_name: from.configVar, from_url: fromUrl, to_name: to.configVar, to_url: toUrl });
  await record(ctx, 'transfer', transfer.uuid);
});
