import { isEssentialPlan } from '../../heroku/platform.js';
import type { Probe, RunbookDeps } from '../deps.js';
import { action, wait, type ActionStep, type CheckResult, type WaitStep } from '../runbook.js';
import { databaseAvailable } from './database.js';
import { required } from './outputs.js';
import { shortPlan } from './params.js';

/**
 * A plan change in place (`addons:upgrade`): Heroku prepares a replacement, then changes over with
 * under a minute of downtime, which Heroku Connect handles like an HA failover.
 */

/** Check: Essential to a higher tier (or back) cannot change in place: pg:copy does it. */
export function sameTierFamily(plan: string): Probe<CheckResult> {
  return async (ctx) => {
    const current = required(ctx, 'database').plan;
    if (isEssentialPlan(current) === isEssentialPlan(plan)) return { ok: true };
    return {
      ok: false,
      reason: `${shortPlan(current)} cannot change to ${shortPlan(plan)} in place: Essential-tier databases move to and from the higher tiers with pg:copy.`,
      next: `Move it with pg:copy instead: \`/connect plan-change ${ctx.app} --plan ${shortPlan(plan)} --via copy\`.`,
    };
  };
}

/** Check: the database is not on the plan already. */
export function differentPlan(plan: string): Probe<CheckResult> {
  return async (ctx) => {
    const { plan: current, addonName } = required(ctx, 'database');
    return current === plan ? { ok: false, reason: `${addonName} is already on ${shortPlan(plan)}.`, next: 'Nothing to change.' } : { ok: true };
  };
}

/** Check: followers and their new plan are Standard tier or higher. */
export function notEssentialTarget(plan: string): Probe<CheckResult> {
  return async () =>
    isEssentialPlan(plan)
      ? { ok: false, reason: `${shortPlan(plan)} is an Essential-tier plan: followers are only supported on Standard, Premium, Private and Shield plans.`, next: 'Use --via copy for Essential-tier plans.' }
      : { ok: true };
}

export function changePlanStep(plan: string): ActionStep<RunbookDeps, unknown> {
  return action(`Change the database plan to ${shortPlan(plan)} (addons:upgrade)`, {
    do: async (ctx) => {
      await ctx.deps.platform.changeAddOnPlan(ctx.app, required(ctx, 'database').addonId, plan);
    },
    done: async (ctx) => (await ctx.deps.platform.addOn(ctx.app, required(ctx, 'database').addonId)).plan.name === plan,
    calls: ['PATCH /apps/{app}/addons/{addon} {"plan"}'],
  });
}

export function planChangedStep(): WaitStep<RunbookDeps, unknown> {
  return wait('Wait until the database is available on its new plan', databaseAvailable, {
    every: '30s',
    max: '10m',
    timeout: '30h',
    expect: ['30m', '12h'],
    calls: ['GET /client/v11/databases/{id}/wait_status'],
    next: 'Heroku may take several hours to prepare the replacement: follow it with `heroku pg:wait`, then start again.',
  });
}
