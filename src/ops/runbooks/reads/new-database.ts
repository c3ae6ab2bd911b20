import { api } from '../../heroku/calls.js';
import { isNotFound } from '../../heroku/errors.js';
import { read, type Ctx, type Fn } from '../deps.js';
import { output, record, required, type NewDatabase } from '../outputs.js';
import { StepFailed, type WaitResult } from '../runbook.js';
import { waitStatusOf } from './database.js';

/**
 * The Heroku Postgres add-on a run creates (a follower, or the target of pg:copy). Its add-on and
 * attachment names come from the run id, so it is identifiable before it exists: after a crash,
 * probes find it by name and the create request is never sent twice.
 */

export type NewDatabaseKind = 'follower' | 'copy';

/** `acme-prod-follower-1a2b3c4d` and `FOLLOWER_1A2B3C4D` (config var `FOLLOWER_1A2B3C4D_URL`). */
export function newDatabaseNames(ctx: Ctx, kind: NewDatabaseKind, plan: string): NewDatabase {
  const tag = ctx.runId.replace(/[^a-zA-Z0-9]/g, '').slice(0, 8).toLowerCase();
  const attachment = `${kind === 'follower' ? 'FOLLOWER' : 'NEW_DATABASE'}_${tag.toUpperCase()}`;
  return { name: `${ctx.app}-${kind === 'follower' ? 'follower' : 'db'}-${tag}`, attachment, configVar: `${attachment}_URL`, plan };
}

/** The new add-on's id: recorded from Heroku's answer, or looked up by its name after a crash. */
export const newDatabaseId: Fn<string> = read([api.platform.addOn], async (ctx) => {
  const known = output(ctx, 'newDatabaseId');
  if (known) return known;
  const { id } = await ctx.deps.platform.addOn(ctx.app, required(ctx, 'newDatabase').name);
  await record(ctx, 'newDatabaseId', id);
  return id;
});

/** Done probe: the add-on exists (provisioning counts: creating it was the mutation). */
export const newDatabaseExists: Fn<boolean> = read([api.platform.addOn], async (ctx) => {
  const planned = output(ctx, 'newDatabase');
  if (!planned) return false;
  try {
    const { id, state } = await ctx.deps.platform.addOn(ctx.app, planned.name);
    await record(ctx, 'newDatabaseId', id);
    return state === 'provisioning' || state === 'provisioned';
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
});

/** Done probe of its destroy: gone, or going. */
export const newDatabaseGone: Fn<boolean> = read([newDatabaseExists], async (ctx) => !(await newDatabaseExists(ctx)));

/** Wait: provisioned, and the data API no longer waiting (`pg:wait`). */
export const newDatabaseAvailable: Fn<WaitResult> = read([newDatabaseId, api.platform.addOn, api.data.waitStatus], async (ctx) => {
  const addOn = await ctx.deps.platform.addOn(ctx.app, await newDatabaseId(ctx));
  if (addOn.state === 'deprovisioned' || addOn.state === 'deprovisioning') {
    throw new StepFailed(`The add-on ${addOn.name} was unable to be created, with status ${addOn.state}.`, {
      next: `Heroku could not create the new database: check \`heroku addons -a ${ctx.app}\` and the plan, then start the runbook again.`,
    });
  }
  if (addOn.state !== 'provisioned') return { done: false, progress: `${addOn.name} is ${addOn.state}` };
  return waitStatusOf(ctx, addOn.id);
});
