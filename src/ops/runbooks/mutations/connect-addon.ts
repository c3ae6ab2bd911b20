import { api } from '../../heroku/calls.js';
import { mutation, type Fn } from '../deps.js';
import { output, record, required } from '../outputs.js';
import { StepFailed } from '../runbook.js';
import { newConnectAddOnName, newConnectAttachment } from '../reads/connect-addon.js';
import { readSide } from '../reads/connection.js';

/** `addons:create herokuconnect` on the plan of the app's (recorded) add-on, and the destroys of Connect add-ons. */

/** Creates the new Connect add-on, recording its name first. */
export const createConnectAddOn: Fn<void> = mutation([api.platform.createAddOn], async (ctx) => {
  const planned = output(ctx, 'newConnectAddOn') ?? { name: newConnectAddOnName(ctx), plan: required(ctx, 'connectAddOn').plan };
  await record(ctx, 'newConnectAddOn', planned);
  await ctx.deps.platform.createAddOn(ctx.app, { plan: planned.plan, name: planned.name, attachmentName: newConnectAttachment(ctx), confirm: ctx.app });
});

/** Rolling back removes the parallel add-on; never once it has taken over DATABASE_URL. */
export const destroyNewConnectAddOn: Fn<void> = mutation([readSide('newConnection'), api.platform.destroyAddOn], async (ctx) => {
  const { name } = required(ctx, 'newConnectAddOn');
  if (output(ctx, 'newConnection') && (await readSide('newConnection')(ctx)).db_key === 'DATABASE_URL') {
    throw new StepFailed(`${name} syncs DATABASE_URL since the cutover: not destroying it.`, {
      next: `The new connection took over ${ctx.app}'s database, so it stays. Remove it by hand only once the old connection syncs the app's database again.`,
    });
  }
  await ctx.deps.platform.destroyAddOn(ctx.app, name);
});

/** `addons:destroy` of the app's Connect add-on (recreate replaces it). */
export const destroyOldConnectAddOn: Fn<void> = mutation([api.platform.destroyAddOn], async (ctx) => {
  await ctx.deps.platform.destroyAddOn(ctx.app, required(ctx, 'connectAddOn').name);
});
