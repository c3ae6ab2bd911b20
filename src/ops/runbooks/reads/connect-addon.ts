import { api } from '../../heroku/calls.js';
import { isNotFound } from '../../heroku/errors.js';
import { read, type Ctx, type Fn } from '../deps.js';
import { output, record, required } from '../outputs.js';
import type { CheckResult, WaitResult } from '../runbook.js';
import { readConnection, readSide } from './connection.js';

/**
 * Heroku Connect add-ons: the app's (its plan is what a replacement gets), and the one a run creates
 * (recreate replaces the app's connection; add-column runs one beside it). The new add-on's name
 * comes from the run id, so it is identifiable before it exists.
 */

const runTag = (ctx: Ctx): string => ctx.runId.replace(/[^a-zA-Z0-9]/g, '').slice(0, 8);

/** `acme-prod-connect-r1a2b3c4`: unique per run, and valid as a globally unique add-on name. */
export const newConnectAddOnName = (ctx: Ctx): string => `${ctx.app}-connect-${runTag(ctx).toLowerCase()}`;

/** `HEROKUCONNECT_R1A2B3C4`: the app's first Connect add-on holds `HEROKUCONNECT` while both exist. */
export const newConnectAttachment = (ctx: Ctx): string => `HEROKUCONNECT_${runTag(ctx).toUpperCase()}`;

/** Check: the add-on behind the connection, with its plan (a replacement gets the same). Records it. */
export const connectAddOnFound: Fn<CheckResult> = read([readConnection, api.platform.addOn], async (ctx) => {
  const { resource_name } = await readConnection(ctx);
  const addOn = await ctx.deps.platform.addOn(ctx.app, resource_name);
  await record(ctx, 'connectAddOn', { name: addOn.name, plan: addOn.plan.name });
  return { ok: true };
});

/** The new add-on's state, or undefined while it does not exist (or is gone, or going). */
const newConnectAddOnState: Fn<string | undefined> = read([api.platform.addOn], async (ctx) => {
  const planned = output(ctx, 'newConnectAddOn');
  if (!planned) return undefined;
  try {
    const { state } = await ctx.deps.platform.addOn(ctx.app, planned.name);
    return state === 'deprovisioned' || state === 'deprovisioning' ? undefined : state;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
});

/** Done probe: the new Connect add-on exists (provisioning counts). */
export const newConnectAddOnExists: Fn<boolean> = read([newConnectAddOnState], async (ctx) => (await newConnectAddOnState(ctx)) !== undefined);

/** Done probe of its destroy. */
export const newConnectAddOnGone: Fn<boolean> = read([newConnectAddOnState], async (ctx) => (await newConnectAddOnState(ctx)) === undefined);

/** Done probe: the app's old Connect add-on is gone, or going. */
export const oldConnectAddOnGone: Fn<boolean> = read([api.platform.addOn], async (ctx) => {
  try {
    const { state } = await ctx.deps.platform.addOn(ctx.app, required(ctx, 'connectAddOn').name);
    return state === 'deprovisioning' || state === 'deprovisioned';
  } catch (error) {
    if (isNotFound(error)) return true;
    throw error;
  }
});

/** Wait: provisioned, and discovery lists its connection (after putting the token's user on its access list). Records it. */
export const newConnectionListed: Fn<WaitResult> = read([api.platform.addOn, api.connect.findConnection], async (ctx) => {
  const { name } = required(ctx, 'newConnectAddOn');
  const { state } = await ctx.deps.platform.addOn(ctx.app, name);
  if (state !== 'provisioned') return { done: false, progress: `${name} is ${state}` };
  const { id, region_url } = await ctx.deps.connect.findConnection(ctx.app, { resourceName: name });
  await record(ctx, 'newConnection', { id, region_url });
  return { done: true };
});

/** States in which the new connection still waits for its database or its Salesforce login. */
const UNAUTHORIZED = ['NEW', 'NEED_AUTHENTICATION', 'UNAUTHORIZED'];

/** Wait: the new connection is past its Salesforce login. */
export const salesforceAuthorized: Fn<WaitResult> = read([readSide('newConnection')], async (ctx) => {
  const { state } = await readSide('newConnection')(ctx);
  return UNAUTHORIZED.includes(state) ? { done: false, progress: `The new connection is ${state}` } : { done: true };
});
