import { api } from '../../heroku/calls.js';
import type { Dyno } from '../../heroku/types.js';
import { condition, read, type Ctx, type Fn } from '../deps.js';
import { output, required, type Consumers } from '../outputs.js';
import type { CheckResult, Condition, WaitResult } from '../runbook.js';
import type { RunbookDeps } from '../deps.js';

/**
 * Every writer of the database a cutover replaces (issue 10, part 3), as discovery recorded them
 * (reads/consumers.ts): the processes of every app it is attached to, one-off dynos (`heroku run`,
 * Scheduler jobs), and Heroku Scheduler itself. Maintenance mode stops web dynos only; "non-web
 * dynos ... continue to run, even with maintenance mode enabled" (Dev Center "Maintenance Mode"),
 * and one-off dynos run through both.
 */

/** A one-off dyno: `heroku run` (type `run`) or a Heroku Scheduler job (type `scheduler`). */
export const isOneOff = (dyno: Pick<Dyno, 'type'>): boolean => dyno.type === 'run' || dyno.type === 'scheduler';

/** Every app the database is attached to, the run's own first. */
export function consumerApps(ctx: Ctx): string[] {
  const consumers = required(ctx, 'consumers');
  return [...new Set([ctx.app, ...consumers.attachments.map((a) => a.app)])];
}

/** The apps the database is attached to besides the run's own. */
export function otherApps(ctx: Ctx): string[] {
  return consumerApps(ctx).filter((app) => app !== ctx.app);
}

/** Steps on the other apps run only when there are some; the reason names the one app. */
export const whenOtherApps: Condition<RunbookDeps, unknown> = condition('the database is attached to other apps', [], async (ctx) =>
  otherApps(ctx).length > 0 ? { holds: true } : { holds: false, because: `the database is attached to ${ctx.app} only` },
);

/** The Scheduler steps run only when an app that uses the database has Heroku Scheduler. */
export const whenScheduler: Condition<RunbookDeps, unknown> = condition('an app that uses the database has Heroku Scheduler', [], async (ctx) =>
  required(ctx, 'consumers').schedulers.length > 0 ? { holds: true } : { holds: false, because: 'no app that uses the database has Heroku Scheduler' },
);

/** Done probe: every other app is in maintenance mode (on), or back as it was before the run (off). */
export function otherAppsMaintenanceIs(on: boolean): Fn<boolean> {
  return read([api.platform.app], async (ctx) => {
    const before = output(ctx, 'otherApps');
    if (!before) return false;
    // Off means as before: an app that was in maintenance before the run stays in it.
    const apps = on ? before : before.filter((b) => !b.maintenance);
    const now = await Promise.all(apps.map((b) => ctx.deps.platform.app(b.app)));
    return now.every((app) => app.maintenance === on);
  });
}

/** Done probe: every process type recorded on the other apps is at 0. */
export const otherAppsScaledDown: Fn<boolean> = read([api.platform.formation], async (ctx) => {
  const before = output(ctx, 'otherApps');
  if (!before) return false;
  for (const b of before) {
    const now = await ctx.deps.platform.formation(b.app);
    if (!b.formation.every(({ type }) => (now.find((f) => f.type === type)?.quantity ?? 0) === 0)) return false;
  }
  return true;
});

/** Done probe: every process type recorded on the other apps is back at its quantity. */
export const otherAppsFormationRestored: Fn<boolean> = read([api.platform.formation], async (ctx) => {
  for (const b of required(ctx, 'otherApps')) {
    const now = await ctx.deps.platform.formation(b.app);
    if (!b.formation.every(({ type, quantity }) => now.find((f) => f.type === type)?.quantity === quantity)) return false;
  }
  return true;
});

/** The one-off dynos running now on every app that uses the database. */
export async function oneOffDynos(ctx: Ctx): Promise<Array<{ app: string; dyno: Dyno }>> {
  const found: Array<{ app: string; dyno: Dyno }> = [];
  for (const app of consumerApps(ctx)) for (const dyno of await ctx.deps.platform.dynos(app)) if (isOneOff(dyno)) found.push({ app, dyno });
  return found;
}

/** Done probe: no one-off dyno runs on any app that uses the database. */
export const noOneOffDynos: Fn<boolean> = read([api.platform.dynos], async (ctx) => (await oneOffDynos(ctx)).length === 0);

/** What the platform shows writing to the database now, with the command that stops each. */
async function writersRunning(ctx: Ctx): Promise<{ running: string[]; remedies: string[] }> {
  const running: string[] = [];
  const remedies: string[] = [];
  for (const app of consumerApps(ctx)) {
    const [info, formation, dynos] = await Promise.all([ctx.deps.platform.app(app), ctx.deps.platform.formation(app), ctx.deps.platform.dynos(app)]);
    const processes = formation.filter((f) => f.type !== 'web' && f.quantity > 0);
    if (!info.maintenance) {
      running.push(`${app} is not in maintenance mode`);
      remedies.push(`\`heroku maintenance:on -a ${app}\``);
    }
    if (processes.length) {
      running.push(`${app} runs ${processes.map((f) => `${f.type}=${f.quantity}`).join(', ')}`);
      remedies.push(`\`heroku ps:scale ${processes.map((f) => `${f.type}=0`).join(' ')} -a ${app}\``);
    }
    for (const dyno of dynos.filter(isOneOff)) {
      running.push(`one-off dyno ${dyno.name} runs on ${app}${dyno.command ? ` (${dyno.command})` : ''}`);
      remedies.push(`\`heroku ps:stop ${dyno.name} -a ${app}\``);
    }
  }
  return { running, remedies };
}

/**
 * Wait: nothing the platform shows writes to the database: every app that uses it in maintenance
 * mode with its non-web process types at 0, and no one-off dyno (a Scheduler job that started since
 * the stop ends by itself, or a person stops it). The proof of a cutover without a follower (pg:copy,
 * pg:upgrade in place, add-column), before the change that must see no write. It sees the listed
 * apps at that instant: not a writer of an app the APIs do not show.
 */
export const noWriterRunning: Fn<WaitResult> = read([api.platform.app, api.platform.formation, api.platform.dynos], async (ctx) => {
  const { running, remedies } = await writersRunning(ctx);
  if (running.length === 0) return { done: true };
  return {
    done: false,
    progress: `Still writing: ${running.join('; ')}`,
    next: `Writes are still off on the app. Stop the writer (${remedies.join(', ')}; if it is a Scheduler job, disable it in the Scheduler dashboard), then roll back and start again.`,
  };
});

/** Check, after the change (pg:copy): nothing that could have written meanwhile is running. */
export const noWriterRan: Fn<CheckResult> = read([api.platform.app, api.platform.formation, api.platform.dynos], async (ctx) => {
  const { running, remedies } = await writersRunning(ctx);
  if (running.length === 0) return { ok: true };
  return {
    ok: false,
    reason: `Something may have written to the old database during the change: ${running.join('; ')}.`,
    next: `Writes are still off on the app, and the new database may lack what it wrote. Stop the writer (${remedies.join(', ')}), then roll back (the app comes back on the old database) and start again.`,
  };
});

/**
 * Check, for a runbook that does not stop writers but needs them stopped (`recreate`: writes made
 * while no connection's triggers capture them would never reach Salesforce): nothing the platform
 * shows writes to the database, on any app that uses it.
 */
export const noWriterNow: Fn<CheckResult> = read([api.platform.app, api.platform.formation, api.platform.dynos], async (ctx) => {
  const { running, remedies } = await writersRunning(ctx);
  if (running.length === 0) return { ok: true };
  return {
    ok: false,
    reason: `Something still writes to the database: ${running.join('; ')}.`,
    next: `Stop writes first: ${remedies.join(', ')} (a Scheduler job: disable it in the Scheduler dashboard), then start again.`,
  };
});

export const NO_WRITER_NOW = 'Writes are already stopped: every app that uses the database in maintenance mode, non-web dynos at 0, no one-off dyno';
export const NO_WRITER_STILL = 'Still nothing writes to the database, right before Heroku Connect is paused';

/** Who the run stops, and which proof covers whom, for the plan card and `connect-ops plan`. */
export const FOLLOWER_IN_SYNC = 'Wait until the follower is 0 commits behind';
export const NO_WRITER_BEFORE = 'Nothing writes to the database: every app that uses it in maintenance mode, non-web dynos at 0, no one-off dyno';
export const NO_WRITER_AFTER = 'Nothing wrote to the database meanwhile: every app still in maintenance mode, non-web dynos at 0, no one-off dyno';

/**
 * The writers a cutover stops, as lines (pure: consumers and the plan's step titles passed in),
 * and what each proof in the plan covers. The follower's lag is measured on the database itself:
 * it covers every writer, listed or not. The platform check sees only what the APIs list.
 */
export function writerLines(consumers: Consumers, app: string, stepTitles: readonly string[]): string[] {
  const apps = [...new Set([app, ...consumers.attachments.map((a) => a.app)])];
  const stopped = apps.map((name) => {
    const processes = consumers.formations.find((f) => f.app === name)?.processes ?? [];
    const running = processes.filter((p) => p.type !== 'web' && p.type !== 'release' && p.quantity > 0).map((p) => `${p.type}=${p.quantity}`);
    return `${name} (maintenance mode${running.length ? `, ${running.join(', ')} scaled to 0` : ''})`;
  });
  const oneOffs = consumers.oneOffDynos.map((d) => `${d.name} on ${d.app}`);
  const schedulers = consumers.schedulers.map((s) => `Heroku Scheduler jobs on ${s.app}`);
  if (stepTitles.includes(NO_WRITER_NOW)) {
    // recreate: the database stays, and the run checks that writes are stopped rather than stopping them.
    return [
      `Writes must be stopped before the run, on: ${stopped.join(', ')}; no one-off dyno${oneOffs.length ? ` (running now: ${oneOffs.join(', ')})` : ''}${schedulers.length ? `; ${schedulers.join(', ')} disabled by hand after approval, enabled again once every mapping is synced` : ''}. The run checks them; it stops none.`,
      `Proof: before the approval and again right before the pause, the platform shows ${apps.join(', ')} in maintenance mode, non-web dynos at 0 and no one-off dyno; not writers the APIs do not show.`,
    ];
  }
  const covered = [...apps.map((a) => `${a} processes`), 'one-off dynos', ...schedulers];
  const lines = [
    `Writes stop on: ${stopped.join(', ')}; one-off dynos ${oneOffs.length ? `(${oneOffs.join(', ')}, and any started since)` : '(none now; any started later)'} stopped after approval${schedulers.length ? `; ${schedulers.join(', ')} disabled by hand in the Scheduler dashboard` : ''}.`,
  ];
  if (stepTitles.includes(FOLLOWER_IN_SYNC)) lines.push(`Proof: the follower 0 commits behind covers ${covered.join(', ')}, and any writer the APIs do not show.`);
  if (stepTitles.includes(NO_WRITER_BEFORE)) {
    lines.push(
      `Proof: ${stepTitles.includes(NO_WRITER_AFTER) ? 'before and after the change, ' : ''}the platform shows ${apps.join(', ')} in maintenance mode, non-web dynos at 0 and no one-off dyno; it covers ${covered.slice(0, apps.length + 1).join(', ')} at those instants, not Scheduler jobs between them (disabled by hand) nor writers the APIs do not show.`,
    );
  }
  return lines;
}
