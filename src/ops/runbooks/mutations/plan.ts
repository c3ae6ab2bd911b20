import { api } from '../../heroku/calls.js';
import { mutation, type Fn } from '../deps.js';
import { required } from '../outputs.js';

/**
 * `addons:upgrade` of the Connect database to another plan (Dev Center "Heroku Connect Maintenance
 * Operations", "Changing the Plan of Your Heroku Postgres Database"): Heroku prepares a replacement,
 * then changes over, which "behaves identically to an HA failover" for Heroku Connect.
 */
export function changePlan(plan: string): Fn<void> {
  return mutation([api.platform.changeAddOnPlan], async (ctx) => {
    await ctx.deps.platform.changeAddOnPlan(ctx.app, required(ctx, 'database').addonId, plan);
  });
}
