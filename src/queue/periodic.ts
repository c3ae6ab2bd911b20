import cron from 'node-cron';
import type { Logger } from '../log.js';
import { runTick, type PeriodicTask, type PeriodicTasks } from '../periodic.js';
import { retryOnDeadlock, type JobQueue } from './index.js';

/**
 * Periodic tasks through the job queue's cron: pg-boss sends each tick as one job however many
 * replicas evaluate the schedule, and one replica's worker runs it. pg-boss evaluates schedules at
 * minute precision (its cron sends at most one job a minute per schedule), as MAINTENANCE_CRON's
 * default (every five minutes) needs.
 */
export function queuePeriodic(queue: JobQueue | (() => JobQueue), logger: Logger): PeriodicTasks {
  // A function when the queue starts after the tasks are registered (main.ts: after $PORT is bound).
  const queueOf = typeof queue === 'function' ? queue : () => queue;
  const tasks: PeriodicTask[] = [];
  const workers: string[] = [];
  const nameOf = (task: string) => `periodic.${task}`;
  return {
    every(name, cronExpression, task) {
      if (!cron.validate(cronExpression)) throw new Error(`"${cronExpression}" (${name}) is not a cron expression`);
      tasks.push({ name, cron: cronExpression, task });
    },
    async start() {
      const { boss } = queueOf();
      for (const { name, cron: expression, task } of tasks) {
        const queueName = nameOf(name);
        // Stately: one tick waiting and one running at most, so a slow tick is never run twice at once.
        await retryOnDeadlock(() => boss.createQueue(queueName, { name: queueName, policy: 'stately', expireInSeconds: 15 * 60 }));
        await retryOnDeadlock(() => boss.schedule(queueName, expression, {}, { tz: 'UTC' }));
        workers.push(await boss.work(queueName, { pollingIntervalSeconds: 2 }, () => runTick(logger, name, task)));
      }
    },
    async stop() {
      await Promise.all(workers.splice(0).map((id) => queueOf().boss.offWork({ id })));
    },
  };
}
