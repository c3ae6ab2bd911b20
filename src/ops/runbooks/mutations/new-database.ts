import { api } from '../../heroku/calls.js';
import { mutation, type Ctx, type Fn } from '../deps.js';
import { output, record, required } from '../outputs.js';
import { StepFailed } from '../runbook.js';
import { readConnection } from '../reads/connection.js';
import { newDatabaseId, newDatabaseNames, type NewDatabaseKind } from '../reads/new-database.js';

/**
 * `addons:create heroku-postgresql:PLAN` for a run's new database (a follower with `--follow`, or
 * the target of pg:copy with `--version`), and its destroy when the run is rolled back.
 */

export interface CreateDatabaseOptions {
  kind: NewDatabaseKind;
  /** The plan of the new add-on; the leader's plan when omitted. */
  plan?: string;
  /** Provisioning options, e.g. `{ follow: 'DATABASE_URL' }` or `{ version: '17' }`. */
  config: (ctx: Ctx) => Record<string, string>;
}

/** Creates the add-on, recording its names first. */
export function createDatabase(options: CreateDatabaseOptions): Fn<void> {
  return mutation([api.platform.createAddOn], async (ctx) => {
    const planned = output(ctx, 'newDatabase') ?? newDatabaseNames(ctx, options.kind, options.plan ?? required(ctx, 'database').plan);
    await record(ctx, 'newDatabase', planned);
    const addOn = await ctx.deps.platform.createAddOn(ctx.app, {
      plan: planned.plan,
      name: planned.name,
      attachmentName: planned.attachment,
      config: options.config(ctx),
      confirm: ctx.app,
    });
    await record(ctx, 'newDatabaseId', addOn.id);
  });
}

/**
 * `addons:destroy` of the new database, which would otherwise keep running (and costing). Never once
 * it is in use: promoted to DATABASE_URL or in Heroku Connect's db_key.
 */
export const destroyNewDatabase: Fn<void> = mutation([newDatabaseId, api.platform.attachments, readConnection, api.platform.destroyAddOn], async (ctx) => {
  const planned = required(ctx, 'newDatabase');
  const id = await newDatabaseId(ctx);
  const attachments = await ctx.deps.platform.attachments(ctx.app);
  const promoted = attachments.some((a) => a.addon.id === id && a.name === 'DATABASE');
  const { db_key } = await readConnection(ctx);
  if (promoted || db_key === planned.configVar) {
    throw new StepFailed(`${planned.name} is in use (${promoted ? 'DATABASE_URL' : "Heroku Connect's db_key"}): not destroying it.`, {
      next: `The cutover moved ${ctx.app} to ${planned.name}, so it stays. To go back to the old database, point the app and Heroku Connect at it first (\`heroku pg:promote\`, \`heroku connect:db:set\`), then destroy ${planned.name} by hand.`,
    });
  }
  await ctx.deps.platform.destroyAddOn(ctx.app, id);
});
