import { api } from '../../heroku/calls.js';
import { read, type Fn } from '../deps.js';
import { output, required } from '../outputs.js';
import type { CheckResult } from '../runbook.js';

/**
 * Whether the app takes writes. Maintenance mode makes web dynos serve a static page, but worker
 * dynos "continue to run, even with maintenance mode enabled" (Dev Center "Maintenance Mode"), so
 * writes stop only with maintenance mode on and every non-web process type at 0.
 */

/** Done probe: maintenance mode is on (or off). */
export function maintenanceIs(on: boolean): Fn<boolean> {
  return read([api.platform.app], async (ctx) => (await ctx.deps.platform.app(ctx.app)).maintenance === on);
}

/** Done probe: every recorded process type is at 0. */
export const workersScaledDown: Fn<boolean> = read([api.platform.formation], async (ctx) => {
  const before = output(ctx, 'formation');
  if (!before) return false;
  const now = await ctx.deps.platform.formation(ctx.app);
  return before.every(({ type }) => now.find((f) => f.type === type)?.quantity === 0);
});

/** Done probe: every recorded process type is back at its quantity. */
export const formationRestored: Fn<boolean> = read([api.platform.formation], async (ctx) => {
  const before = required(ctx, 'formation');
  const now = await ctx.deps.platform.formation(ctx.app);
  return before.every(({ type, quantity }) => now.find((f) => f.type === type)?.quantity === quantity);
});

/** Check: the app takes no writes: maintenance mode on and every non-web process type at 0. */
export const writesStopped: Fn<CheckResult> = read([api.platform.app, api.platform.formation], async (ctx) => {
  const [app, formation] = await Promise.all([ctx.deps.platform.app(ctx.app), ctx.deps.platform.formation(ctx.app)]);
  const running = formation.filter((f) => f.type !== 'web' && f.quantity > 0);
  if (app.maintenance && running.length === 0) return { ok: true };
  const why = [!app.maintenance && 'maintenance mode is off', running.length > 0 && `${running.map((f) => `${f.type}=${f.quantity}`).join(', ')} still run`].filter(Boolean);
  const scale = running.map((f) => `${f.type}=0`).join(' ');
  return {
    ok: false,
    reason: `${ctx.app} still takes writes: ${why.join(' and ')}.`,
    next: `Stop writes first: ${[!app.maintenance && `\`heroku maintenance:on -a ${ctx.app}\``, scale && `\`heroku ps:scale ${scale} -a ${ctx.app}\``].filter(Boolean).join(' and ')}, then start again.`,
  };
});
