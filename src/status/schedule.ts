import cron, { type ScheduledTask } from 'node-cron';

/**
 * A watcher's tick on a cron schedule given from outside (MAINTENANCE_CRON for every watcher), one
 * tick at a time. The tick is the unit: a job queue can call it instead of this schedule.
 */

export interface Schedule {
  stop(): Promise<void>;
}

export function onSchedule(expression: string, name: string, tick: () => Promise<unknown>, onError: (error: unknown) => void): Schedule {
  if (!cron.validate(expression)) throw new Error(`"${expression}" is not a cron expression`);
  const task: ScheduledTask = cron.schedule(expression, () => tick().then(() => undefined, onError), { name, noOverlap: true });
  return {
    async stop() {
      await task.destroy();
    },
  };
}
