import { api } from '../../heroku/calls.js';
import { isEssentialPlan } from '../../heroku/platform.js';
import { read, type Fn } from '../deps.js';
import { required } from '../outputs.js';
import { shortPlan } from '../params.js';
import type { CheckResult } from '../runbook.js';

/**
 * The database's plan and the one asked for (Dev Center "Heroku Connect Maintenance Operations",
 * "Changing the Plan of Your Heroku Postgres Database": Essential-tier databases move to another
 * tier with pg:copy, and have no followers).
 */

/** Check: Essential to a higher tier (or back) cannot change in place: pg:copy does it. */
export function sameTierFamily(plan: string): Fn<CheckResult> {
  return read([], async (ctx) => {
    const current = required(ctx, 'database').plan;
    if (isEssentialPlan(current) === isEssentialPlan(plan)) return { ok: true };
    return {
      ok: false,
      reason: `${shortPlan(current)} cannot change to ${shortPlan(plan)} in place: Essential-tier databases move to and from the higher tiers with pg:copy.`,
      next: `Move it with pg:copy instead: \`/connect plan-change ${ctx.app} ${shortPlan(plan)} --via copy\`.`,
    };
  });
}

/** Check: the database is not on the plan already. */
export function differentPlan(plan: string): Fn<CheckResult> {
  return read([], async (ctx) => {
    const { plan: current, addonName } = required(ctx, 'database');
    return current === plan ? { ok: false, reason: `${addonName} is already on ${shortPlan(plan)}.`, next: 'Nothing to change.' } : { ok: true };
  });
}

/** Check: followers and their new plan are Standard tier or higher. */
export function notEssentialTarget(plan: string): Fn<CheckResult> {
  return read([], async () =>
    isEssentialPlan(plan)
      ? { ok: false, reason: `${shortPlan(plan)} is an Essential-tier plan: followers are only supported on Standard, Premium, Private and Shield plans.`, next: 'Use --via copy for Essential-tier plans.' }
      : { ok: true },
  );
}

/** Done probe of a plan change: the add-on is on the plan. */
export function databaseOnPlan(plan: string): Fn<boolean> {
  return read([api.platform.addOn], async (ctx) => (await ctx.deps.platform.addOn(ctx.app, required(ctx, 'database').addonId)).plan.name === plan);
}
