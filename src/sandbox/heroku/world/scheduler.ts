import { invalidParams } from '../errors.js';
import type { App } from './apps.js';
import { startOneOff } from './dynos.js';
import type { World } from './world.js';

/**
 * Heroku Scheduler. Its jobs are edited in the Scheduler dashboard only: the add-on has no public
 * API, so nothing in the Platform API can pause them. Each run starts a one-off dyno (type
 * `scheduler`) that writes through maintenance mode, like any one-off dyno. `enabled` stands for
 * the dashboard's switch a person flips (tests and the admin state flip it by hand).
 */
export interface SchedulerJob {
  command: string;
  /** `every 10 minutes`, `every hour`, `every day`: the dashboard's three frequencies */
  everyMs: number;
  /** how long each run takes, in simulated ms */
  runsFor: number;
  configVar: string;
  enabled: boolean;
}

export function addSchedulerJob(world: World, app: App, job: Omit<SchedulerJob, 'enabled'>): SchedulerJob {
  const hasScheduler = [...world.addons.values()].some((a) => a.appId === app.id && a.plan.service === 'scheduler');
  if (!hasScheduler) throw invalidParams(`${app.name} has no Heroku Scheduler add-on.`);
  const entry: SchedulerJob = { ...job, enabled: true };
  app.schedulerJobs.push(entry);
  plan(world, app, entry, app.schedulerJobs.length - 1);
  return entry;
}

/** The next run of a job; a disabled job skips its runs but stays scheduled. */
function plan(world: World, app: App, job: SchedulerJob, index: number): void {
  world.agenda.plan(`${app.id}:scheduler-${index}`, [
    {
      after: job.everyMs,
      do: () => {
        if (job.enabled) startOneOff(world, app, { command: job.command, configVar: job.configVar, type: 'scheduler', runsFor: job.runsFor });
        plan(world, app, job, index);
      },
    },
  ]);
}
