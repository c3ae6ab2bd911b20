import type { RunbookDeps } from './deps.js';
import { read } from './deps.js';
import { restoreFormation, scaleDownWorkers } from './mutations/formation.js';
import { setMaintenance } from './mutations/maintenance.js';
import { otherAppsMaintenanceOff, otherAppsMaintenanceOn, otherAppsRestoreFormation, otherAppsScaleDown, stopOneOffDynos } from './mutations/writers.js';
import { required } from './outputs.js';
import { formationRestored, maintenanceIs, workersScaledDown } from './reads/app.js';
import {
  NO_WRITER_AFTER,
  NO_WRITER_BEFORE,
  noOneOffDynos,
  noWriterRan,
  noWriterRunning,
  otherAppsFormationRestored,
  otherAppsMaintenanceIs,
  otherAppsScaledDown,
  whenOtherApps,
  whenScheduler,
} from './reads/writers.js';
import { action, check, manual, wait, type Step } from './runbook.js';

type Steps = Array<Step<RunbookDeps, unknown>>;

/**
 * Stopping every writer of the database before a cutover and starting them again after (issue 10,
 * part 3), around the app's own maintenance mode and scaling. Heroku Scheduler has no public API:
 * its jobs are a person's step in its dashboard, before writes stop and again at the end. The other
 * apps the database is attached to are stopped like the app itself. One-off dynos are stopped after
 * the approval (the plan lists those running at plan time), rather than waited for: a `heroku run`
 * console never ends by itself, and the approvers saw them before approving.
 */

const schedulerInstructions = (enable: boolean) =>
  read([], async (ctx) => {
    const schedulers = required(ctx, 'consumers').schedulers;
    const where = schedulers.map((s) => `• ${s.app}: \`heroku addons:open ${s.addonName} -a ${s.app}\``).join('\n');
    return enable
      ? `Writes are on again. In the Heroku Scheduler dashboard of each app, enable again every job you disabled before the cutover (add back, with its command and frequency, any job you removed):\n${where}`
      : `Heroku Scheduler runs its jobs as one-off dynos, which maintenance mode does not stop, and it has no API: before writes stop, open the Scheduler dashboard of each app and disable every job that writes to the database (Scheduler offers no pause: note each job's command and frequency, then remove it). A job running now is stopped by the run with the other one-off dynos.\n${where}`;
  });

const SCHEDULER_ENABLE = 'Enable the jobs again in the Heroku Scheduler dashboard';

/** In a rollback: the jobs come back once the run's other changes are undone (the undo steps run newest first). */
const schedulerRollback = read([], async (ctx) => {
  const schedulers = required(ctx, 'consumers').schedulers;
  const where = schedulers.map((s) => `• ${s.app}: \`heroku addons:open ${s.addonName} -a ${s.app}\``).join('\n');
  return `The run stopped before its cutover finished, and this rollback has undone its other changes. In the Heroku Scheduler dashboard of each app, enable again every job you disabled for this run (add back, with its command and frequency, any job you removed):\n${where}`;
});

/** Before writes stop: the Scheduler's jobs, by hand (only when an app that uses the database has Scheduler); a rollback enables them again. */
export const disableScheduler = (cites?: string): Step<RunbookDeps, unknown> =>
  manual('Disable the jobs in the Heroku Scheduler dashboard', schedulerInstructions(false), {
    when: whenScheduler,
    undo: { title: SCHEDULER_ENABLE, instructions: schedulerRollback },
    ...(cites && { cites }),
  });


/** At the end, once writes are on again. */
export const enableScheduler = (cites?: string): Step<RunbookDeps, unknown> =>
  manual(SCHEDULER_ENABLE, schedulerInstructions(true), { when: whenScheduler, ...(cites && { cites }) });

/** recreate's end: the app's writes are the operator's to turn on, but a job may run once the new connection syncs every mapping. */
export const enableSchedulerWhenSynced = (): Step<RunbookDeps, unknown> =>
  manual(
    SCHEDULER_ENABLE,
    read([], async (ctx) => {
      const where = required(ctx, 'consumers').schedulers.map((s) => `• ${s.app}: \`heroku addons:open ${s.addonName} -a ${s.app}\``).join('\n');
      return `The new connection syncs every mapping, so what the jobs write is captured again. In the Heroku Scheduler dashboard of each app, enable again every job you disabled before the recreate (add back, with its command and frequency, any job you removed); turn the app's writes back on as you planned:\n${where}`;
    }),
    { when: whenScheduler },
  );

/** The app's own writers, for a runbook that did not stop them before (pg:upgrade in place). */
export function stopAppWriters(cites?: string): Steps {
  return [
    action('Turn maintenance mode on', {
      do: setMaintenance(true),
      done: maintenanceIs(true),
      undo: { title: 'Turn maintenance mode off', do: setMaintenance(false), done: maintenanceIs(false) },
      downtime: 'starts',
      cites,
    }),
    action('Record the formation and scale the worker dynos to 0', {
      do: scaleDownWorkers,
      done: workersScaledDown,
      undo: { title: 'Scale the worker dynos back to the recorded formation', do: restoreFormation, done: formationRestored },
      cites,
    }),
  ];
}

export function restartAppWriters(cites?: string): Steps {
  return [
    action('Scale the worker dynos back to the recorded formation', { do: restoreFormation, done: formationRestored, cites }),
    action('Turn maintenance mode off', { do: setMaintenance(false), done: maintenanceIs(false), downtime: 'ends', cites }),
  ];
}

/** After the app's own maintenance mode and scaling: the other apps, then the one-off dynos of all. */
export function stopOtherWriters(cites?: string): Steps {
  return [
    action('Turn maintenance mode on for the other apps the database is attached to (their state recorded first)', {
      do: otherAppsMaintenanceOn,
      done: otherAppsMaintenanceIs(true),
      undo: { title: 'Turn maintenance mode off again on the other apps that had it off', do: otherAppsMaintenanceOff, done: otherAppsMaintenanceIs(false) },
      when: whenOtherApps,
      cites,
    }),
    action('Scale the non-web dynos of the other apps to 0', {
      do: otherAppsScaleDown,
      done: otherAppsScaledDown,
      undo: { title: 'Scale the other apps back to their recorded formation', do: otherAppsRestoreFormation, done: otherAppsFormationRestored },
      when: whenOtherApps,
      cites,
    }),
    action('Stop the one-off dynos (heroku run, Scheduler jobs) on every app that uses the database (ps:stop)', { do: stopOneOffDynos, done: noOneOffDynos, cites }),
  ];
}

/** After the app's own maintenance mode is off: the other apps as they were. */
export function restartOtherWriters(cites?: string): Steps {
  return [
    action('Scale the other apps back to their recorded formation', { do: otherAppsRestoreFormation, done: otherAppsFormationRestored, when: whenOtherApps, cites }),
    action('Turn maintenance mode off on the other apps that had it off', { do: otherAppsMaintenanceOff, done: otherAppsMaintenanceIs(false), when: whenOtherApps, cites }),
  ];
}

/**
 * The proof of a cutover without a follower, before the change that must see no write. It waits (15
 * minutes at most) rather than fails at once: a Scheduler job that started after the stop ends by itself.
 */
export const noWriterBefore = (cites?: string): Step<RunbookDeps, unknown> =>
  wait(NO_WRITER_BEFORE, noWriterRunning, { every: '10s', max: '1m', timeout: '15m', expect: ['0s', '1m'], ...(cites && { cites }) });

/** And after it (pg:copy): a writer that started meanwhile is still running, or the run stops here. */
export const noWriterAfter = (cites?: string): Step<RunbookDeps, unknown> => check(NO_WRITER_AFTER, noWriterRan, cites ? { cites } : {});
