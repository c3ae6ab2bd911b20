import { isNotFound } from '../../heroku/errors.js';
import type { Ctx, Probe, RunbookDeps } from '../deps.js';
import { action, StepFailed, wait, type ActionStep, type UndoSpec, type WaitResult, type WaitStep } from '../runbook.js';
import { readConnection } from './connection.js';
import { waitStatusOf } from './database.js';
import { output, record, required, type NewDatabase } from './outputs.js';

/**
 * A new Heroku Postgres add-on (a follower, or the target of pg:copy). Its add-on name and attachment
 * name come from the run id, so it is identifiable before it exists: after a crash, the done probe
 * finds it by name and the create request is never sent twice.
 */

export type NewDatabaseKind = 'follower' | 'copy';

/** `acme-prod-follower-1a2b3c4d` and `FOLLOWER_1A2B3C4D` (config var `FOLLOWER_1A2B3C4D_URL`). */
function newDatabaseNames(ctx: Ctx, kind: NewDatabaseKind, plan: string): NewDatabase {
  const tag = ctx.runId.replace(/[^a-zA-Z0-9]/g, '').slice(0, 8).toLowerCase();
  const attachment = `${kind === 'follower' ? 'FOLLOWER' : 'NEW_DATABASE'}_${tag.toUpperCase()}`;
  return { name: `${ctx.app}-${kind === 'follower' ? 'follower' : 'db'}-${tag}`, attachment, configVar: `${attachment}_URL`, plan };
}

/** The new add-on's id: recorded from Heroku's answer, or looked up by its name after a crash. */
export const newDatabaseId: Probe<string> = async (ctx) => {
  const known = output(ctx, 'newDatabaseId');
  if (known) return known;
  const { id } = await ctx.deps.platform.addOn(ctx.app, required(ctx, 'newDatabase').name);
  await record(ctx, 'newDatabaseId', id);
  return id;
};

/** Done probe: the add-on exists (provisioning counts: creating it was the mutation). */
const newDatabaseExists: Probe<boolean> = async (ctx) => {
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
};

export interface CreateDatabaseOptions {
  kind: NewDatabaseKind;
  /** The plan of the new add-on; the leader's plan when omitted. */
  plan?: string;
  /** Provisioning options, e.g. `{ follow: 'DATABASE_URL' }` or `{ version: '17' }`. */
  config: (ctx: Ctx) => Record<string, string>;
}

/** Done probe of the undo: the add-on is gone (or going). */
const newDatabaseGone: Probe<boolean> = async (ctx) => !(await newDatabaseExists(ctx));

/**
 * Rolling back removes the new database, which would otherwise keep running (and costing). Never once
 * it is in use: promoted to DATABASE_URL or in Heroku Connect's db_key.
 */
const destroyNewDatabaseUndo: UndoSpec<RunbookDeps, unknown> = {
  title: 'Destroy the new database',
  do: async (ctx) => {
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
  },
  done: newDatabaseGone,
  calls: ['GET /apps/{app}/addon-attachments', 'DELETE /apps/{app}/addons/{addon}'],
};

/** Action: create the add-on, recording its names first. */
export function createDatabaseStep(title: string, options: CreateDatabaseOptions): ActionStep<RunbookDeps, unknown> {
  return action(title, {
    do: async (ctx) => {
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
    },
    done: newDatabaseExists,
    undo: destroyNewDatabaseUndo,
    calls: ['POST /apps/{app}/addons'],
  });
}

/** Wait: provisioned, and the data API no longer waiting (`pg:wait`). */
const newDatabaseAvailable: Probe<WaitResult> = async (ctx) => {
  const addOn = await ctx.deps.platform.addOn(ctx.app, await newDatabaseId(ctx));
  if (addOn.state === 'deprovisioned' || addOn.state === 'deprovisioning') {
    throw new StepFailed(`The add-on ${addOn.name} was unable to be created, with status ${addOn.state}.`, {
      next: `Heroku could not create the new database: check \`heroku addons -a ${ctx.app}\` and the plan, then start the runbook again.`,
    });
  }
  if (addOn.state !== 'provisioned') return { done: false, progress: `${addOn.name} is ${addOn.state}` };
  return waitStatusOf(ctx, addOn.id);
};

export function newDatabaseAvailableStep(title: string): WaitStep<RunbookDeps, unknown> {
  return wait(title, newDatabaseAvailable, {
    every: '5s',
    max: '1m',
    timeout: '24h',
    expect: ['5m', '6h'],
    calls: ['GET /apps/{app}/addons/{addon}', 'GET /client/v11/databases/{id}/wait_status'],
    next: 'Heroku is still preparing the new database: check `heroku pg:wait` and `heroku addons`, then start again or roll back.',
  });
}
