import { Counter, Gauge } from 'prom-client';
import type { AdmissionStats } from '../bot/admission.js';
import type { LimitsStats } from '../ops/limits.js';
import { PREFIX, type Metrics } from './registry.js';

/**
 * The load figures of this process, read at each scrape: the Heroku budget the limiters believe is
 * left (shared through Redis by the replicas when REDIS_URL is set), the calls waiting on each
 * limiter, the reads refused to keep the budget for runs, and the Slack requests refused before
 * any work with the lanes' sizes (`ConnectOps.stats()`).
 */

export interface LoadSources {
  stats(): Promise<{ slack: AdmissionStats; heroku: LimitsStats }>;
  /** Calls of the health watcher and the version radar waiting for their own hourly budget. */
  watchersWaiting?: () => number;
}

export function loadMetrics(metrics: Metrics, sources: LoadSources): void {
  const registers = [metrics.registry];
  const remaining = new Gauge({
    name: `${PREFIX}heroku_rate_limit_remaining`,
    help: 'Tokens the Heroku API bucket (Platform and Postgres data APIs) believes it has left, corrected by RateLimit-Remaining',
    registers,
  });
  const readsRemaining = new Gauge({
    name: `${PREFIX}heroku_reads_remaining`,
    help: 'Tokens left of the share of the Heroku budget reads (status, plans, watchers) may spend',
    registers,
  });
  const budgetLow = new Gauge({
    name: `${PREFIX}heroku_budget_low`,
    help: '1 while the Heroku bucket is down to the reserve kept for runs (reads are refused)',
    registers,
  });
  const queued = new Gauge({
    name: `${PREFIX}limiter_queued`,
    help: 'Calls of this process waiting on each limiter (watchers: waiting for the watchers’ hourly budget)',
    labelNames: ['limiter'] as const,
    registers,
  });
  const readsShed = new Counter({
    name: `${PREFIX}heroku_reads_shed_total`,
    help: 'Reads refused without calling Heroku to keep the budget for runs, by reason',
    labelNames: ['reason'] as const,
    registers,
  });
  const slackShed = new Counter({
    name: `${PREFIX}slack_requests_shed_total`,
    help: 'Slack requests acked with a refusal before any work (too long, the person’s rate, a full lane), by reason',
    labelNames: ['reason'] as const,
    registers,
  });
  const lanes = new Gauge({
    name: `${PREFIX}slack_lane_requests`,
    help: 'Slack requests in each lane after their ack, running or waiting',
    labelNames: ['lane', 'state'] as const,
    registers,
  });

  metrics.onScrape('load', async () => {
    const { slack, heroku } = await sources.stats();
    remaining.set(heroku.herokuRemaining);
    readsRemaining.set(heroku.readsRemaining);
    budgetLow.set(heroku.budgetLow ? 1 : 0);
    for (const [limiter, n] of Object.entries(heroku.queued)) queued.set({ limiter: snake(limiter) }, n);
    if (sources.watchersWaiting) queued.set({ limiter: 'watchers' }, sources.watchersWaiting());
    // Counted by their sources since start: the counters are set to those totals.
    setTotals(readsShed, heroku.readsShed);
    setTotals(slackShed, slack.shed);
    for (const [lane, sizes] of Object.entries(slack.lanes)) {
      lanes.set({ lane, state: 'running' }, sizes.running);
      lanes.set({ lane, state: 'waiting' }, sizes.waiting);
    }
  });
}

function setTotals(counter: Counter<'reason'>, totals: Record<string, number>): void {
  counter.reset();
  for (const [reason, n] of Object.entries(totals)) counter.inc({ reason }, n);
}

/** `statusFeeds` -> `status_feeds`, Prometheus's spelling of label values. */
const snake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
