import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from './log.js';

/**
 * Named periodic tasks (the maintenance watcher, and any other watcher): registered with a cron
 * expression, each tick run once. In one process (the embedded store) node-cron ticks here; with
 * replicas the job queue's cron ticks once across all of them (see ./queue/periodic.ts).
 */
export interface PeriodicTasks {
  /** Registers `task` to run on `cron`; call before start(). A tick is skipped while the last one runs. */
  every(name: string, cronExpression: string, task: () => Promise<unknown>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface PeriodicTask {
  name: string;
  cron: string;
  task: () => Promise<unknown>;
}

/** Runs a tick and logs its failure: a failing tick never stops the next one. */
export async function runTick(logger: Logger, name: string, task: () => Promise<unknown>): Promise<void> {
  try {
    await task();
  } catch (error) {
    logger.error({ err: error, task: name }, 'periodic task failed; the next tick tries again');
  }
}

/** node-cron in this process. */
export function inProcessPeriodic(logger: Logger): PeriodicTasks {
  const tasks: PeriodicTask[] = [];
  const scheduled: ScheduledTask[] = [];
  return {
    every(name, cronExpression, task) {
      if (!cron.validate(cronExpression)) throw new Error(`"${cronExpression}" (${name}) is not a cron expression`);
      tasks.push({ name, cron: cronExpression, task });
    },
    async start() {
      for (const { name, cron: expression, task } of tasks) {
        scheduled.push(cron.schedule(expression, () => runTick(logger, name, task), { name, noOverlap: true }));
      }
    },
    async stop() {
      await Promise.all(scheduled.splice(0).map((t) => t.destroy()));
    },
  };
}
