import { Counter, Gauge } from 'prom-client';
import type { PeriodicTasks } from '../periodic.js';
import { PREFIX, type Metrics } from './registry.js';

/**
 * When each watcher (maintenance-watcher, health-watcher, version-radar) last completed a tick that
 * read all it meant to, and how each tick ended. A tick that resolves but names sources or apps it
 * could not read (`failing`) is partial, not a success. With replicas each tick runs on one of
 * them (a named periodic task of the job queue), so the last success is the newest across replicas:
 * `max by (watcher) (connect_ops_watcher_last_success_timestamp_seconds)`.
 */

export interface WatcherMetrics {
  /** Wraps a periodic task: its outcome is counted, and its success time recorded. */
  track<T>(watcher: string, tick: () => Promise<T>): () => Promise<T>;
  /** The same periodic tasks, each tracked under its name. */
  periodic(tasks: PeriodicTasks): PeriodicTasks;
}

export function watcherMetrics(metrics: Metrics, now: () => number = Date.now): WatcherMetrics {
  const registers = [metrics.registry];
  const lastSuccess = new Gauge({
    name: `${PREFIX}watcher_last_success_timestamp_seconds`,
    help: 'When this process last completed a watcher tick that read every source and app',
    labelNames: ['watcher'] as const,
    registers,
  });
  const lastSuccessAge = new Gauge({
    name: `${PREFIX}watcher_last_success_age_seconds`,
    help: 'Seconds since this process last completed a watcher tick that read every source and app',
    labelNames: ['watcher'] as const,
    registers,
  });
  const ticks = new Counter({
    name: `${PREFIX}watcher_ticks_total`,
    help: 'Watcher ticks by outcome: success, partial (some source or app could not be read), failed',
    labelNames: ['watcher', 'outcome'] as const,
    registers,
  });
  const succeeded = new Map<string, number>();

  metrics.onScrape('watchers', async () => {
    for (const [watcher, at] of succeeded) lastSuccessAge.set({ watcher }, (now() - at) / 1000);
  });

  const track: WatcherMetrics['track'] = (watcher, tick) => async () => {
    try {
      const result = await tick();
      const outcome = failing(result) ? 'partial' : 'success';
      ticks.inc({ watcher, outcome });
      if (outcome === 'success') {
        succeeded.set(watcher, now());
        lastSuccess.set({ watcher }, now() / 1000);
      }
      return result;
    } catch (error) {
      ticks.inc({ watcher, outcome: 'failed' });
      throw error;
    }
  };
  return {
    track,
    periodic: (tasks) => ({ ...tasks, every: (name, cron, task) => tasks.every(name, cron, track(name, task)) }),
  };
}

/** The watchers' tick results name what they could not read in `failing`. */
function failing(result: unknown): boolean {
  return typeof result === 'object' && result !== null && 'failing' in result && Array.isArray(result.failing) && result.failing.length > 0;
}
