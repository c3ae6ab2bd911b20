import { api } from '../../heroku/calls.js';
import { isNotFound } from '../../heroku/errors.js';
import { mutation, type Ctx, type Fn } from '../deps.js';
import { output, record, required, type OtherAppBefore } from '../outputs.js';
import { oneOffDynos, otherApps } from '../reads/writers.js';

/**
 * Stopping the writers of the other apps the database is attached to, as the run's own app is
 * stopped (maintenance mode, then every non-web process type at 0: "spin down all non-web dynos
 * (which continue to run, even with maintenance mode enabled)"), and the one-off dynos of every app
 * that uses it. Each function re-reads live state per app before changing it, so after a crash it
 * sends only what had not taken effect: each change is in the request log once.
 */

/** What the other apps were before the run: recorded once, before the first change, and restored exactly. */
async function otherAppsBefore(ctx: Ctx): Promise<OtherAppBefore[]> {
  const recorded = output(ctx, 'otherApps');
  if (recorded) return recorded;
  const before: OtherAppBefore[] = [];
  for (const app of otherApps(ctx)) {
    const [info, formation] = await Promise.all([ctx.deps.platform.app(app), ctx.deps.platform.formation(app)]);
    before.push({ app, maintenance: info.maintenance, formation: formation.filter((f) => f.type !== 'web' && f.quantity > 0).map(({ type, quantity }) => ({ type, quantity })) });
  }
  await record(ctx, 'otherApps', before);
  return before;
}

/** `maintenance:on` on every other app (their state recorded first). */
export const otherAppsMaintenanceOn: Fn<void> = mutation([api.platform.app, api.platform.formation, api.platform.setMaintenance], async (ctx) => {
  for (const b of await otherAppsBefore(ctx)) {
    if (!(await ctx.deps.platform.app(b.app)).maintenance) await ctx.deps.platform.setMaintenance(b.app, true);
  }
});

/** `ps:scale TYPE=0 …` on every other app, for the process types recorded as running. */
export const otherAppsScaleDown: Fn<void> = mutation([api.platform.app, api.platform.formation, api.platform.updateFormation], async (ctx) => {
  for (const b of await otherAppsBefore(ctx)) {
    const now = await ctx.deps.platform.formation(b.app);
    const running = b.formation.filter(({ type }) => (now.find((f) => f.type === type)?.quantity ?? 0) > 0);
    if (running.length) await ctx.deps.platform.updateFormation(b.app, running.map(({ type }) => ({ type, quantity: 0 })));
  }
});

/** `ps:scale` back to the recorded quantities on every other app. */
export const otherAppsRestoreFormation: Fn<void> = mutation([api.platform.formation, api.platform.updateFormation], async (ctx) => {
  for (const b of required(ctx, 'otherApps')) {
    const now = await ctx.deps.platform.formation(b.app);
    const changed = b.formation.filter(({ type, quantity }) => now.find((f) => f.type === type)?.quantity !== quantity);
    if (changed.length) await ctx.deps.platform.updateFormation(b.app, changed.map(({ type, quantity }) => ({ type, quantity })));
  }
});

/** `maintenance:off` on every other app that was not in maintenance mode before the run. */
export const otherAppsMaintenanceOff: Fn<void> = mutation([api.platform.app, api.platform.setMaintenance], async (ctx) => {
  for (const b of required(ctx, 'otherApps').filter((x) => !x.maintenance)) {
    if ((await ctx.deps.platform.app(b.app)).maintenance) await ctx.deps.platform.setMaintenance(b.app, false);
  }
});

/**
 * `heroku ps:stop DYNO` for every one-off dyno on every app that uses the database (`POST
 * /apps/{app}/dynos/{dyno}/actions/stop`, the Platform API's "Dyno Stop", as heroku/cli
 * `src/commands/ps/stop.ts` sends it; `DELETE /apps/{app}/dynos/{dyno}`, "Dyno Restart", ends a
 * one-off dyno too, since one-off dynos are never restarted). Each is recorded before its stop; one
 * that ended by itself meanwhile (404) is no longer a writer.
 */
export const stopOneOffDynos: Fn<void> = mutation([api.platform.dynos, api.platform.stopDyno], async (ctx) => {
  for (const { app, dyno } of await oneOffDynos(ctx)) {
    const stopped = output(ctx, 'stoppedDynos') ?? [];
    if (!stopped.some((d) => d.app === app && d.name === dyno.name)) await record(ctx, 'stoppedDynos', [...stopped, { app, name: dyno.name, type: dyno.type }]);
    await ctx.deps.platform.stopDyno(app, dyno.name).catch((error: unknown) => {
      if (!isNotFound(error)) throw error;
    });
  }
});
