import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { SlackMetrics } from '../bot/app.js';
import type { HttpMetrics } from '../ops/heroku/http.js';

/**
 * The process's Prometheus registry (prom-client): Node's own process metrics, and the counters the
 * Heroku clients and the Slack surface feed as requests happen. Gauges read when scraped (the
 * budget, the lanes, the store's runs) are set by the scrape hooks (./load.ts, ./store-gauges.ts)
 * just before the registry is rendered, so a scrape reads each source once.
 *
 * Labels hold only bounded, public words: Heroku API names, HTTP methods and statuses, Slack
 * method names and error codes, runbook names, run statuses, the policy's app names. Never a URL,
 * a token or anything a user typed.
 */

export interface Metrics {
  registry: Registry;
  /** Fed by the Heroku clients (createHerokuClients's `metrics`). */
  heroku: HttpMetrics;
  /** Fed by the bot (createBot's `metrics`). */
  slack: SlackMetrics;
  /** Runs before each rendering; a hook that fails is counted and logged, and the rest still render. */
  onScrape(source: string, hook: () => Promise<void>): void;
  /** The text exposition, after the scrape hooks ran. */
  scrape(): Promise<string>;
}

export interface MetricsOptions {
  /** Where a failed scrape hook is reported. */
  warn?: (source: string, error: unknown) => void;
}

export const PREFIX = 'connect_ops_';

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  // Unprefixed (process_cpu_seconds_total, nodejs_heap_size_used_bytes...), as dashboards for Node expect them.
  collectDefaultMetrics({ register: registry });

  const herokuRequests = new Counter({
    name: `${PREFIX}heroku_requests_total`,
    help: 'Answers from Heroku (Platform API, Postgres data API, Heroku Connect) by API, method and HTTP status; network_error: no answer',
    labelNames: ['api', 'method', 'status'] as const,
    registers: [registry],
  });
  const herokuRetries = new Counter({
    name: `${PREFIX}heroku_retries_total`,
    help: 'Heroku requests sent again: rate_limited (a 429, after backoff), server_error and network_error (idempotent GETs)',
    labelNames: ['api', 'reason'] as const,
    registers: [registry],
  });
  const slackCalls = new Counter({
    name: `${PREFIX}slack_api_calls_total`,
    help: 'Calls to Slack by Web API method (response_url: answers to a command or click)',
    labelNames: ['method'] as const,
    registers: [registry],
  });
  const slackErrors = new Counter({
    name: `${PREFIX}slack_api_errors_total`,
    help: 'Calls to Slack that failed, by method and Slack error code (ratelimited: HTTP 429; http_NNN: another HTTP status)',
    labelNames: ['method', 'error'] as const,
    registers: [registry],
  });
  const ackSeconds = new Histogram({
    name: `${PREFIX}slack_ack_seconds`,
    help: 'From a Slack request’s arrival (HTTP request or Socket Mode envelope) to its ack; Slack allows 3 s',
    labelNames: ['mode'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5],
    registers: [registry],
  });
  const scrapeErrors = new Counter({
    name: `${PREFIX}scrape_errors_total`,
    help: 'Scrapes whose figures from a source (store, load) could not be read; those figures keep their last values',
    labelNames: ['source'] as const,
    registers: [registry],
  });

  const hooks: Array<{ source: string; hook: () => Promise<void> }> = [];
  const render = async () => {
    await Promise.all(
      hooks.map(({ source, hook }) =>
        hook().catch((error: unknown) => {
          scrapeErrors.inc({ source });
          options.warn?.(source, error);
        }),
      ),
    );
    return registry.metrics();
  };
  // One scrape at a time: hooks reset and refill their gauges, which a concurrent rendering would catch half done.
  let previous: Promise<unknown> = Promise.resolve();
  return {
    registry,
    heroku: {
      response: ({ api, method, status }) => herokuRequests.inc({ api, method: method.toUpperCase(), status: String(status) }),
      retry: ({ api, reason }) => herokuRetries.inc({ api, reason }),
    },
    slack: {
      apiCall(method, error) {
        slackCalls.inc({ method });
        if (error !== undefined) slackErrors.inc({ method, error });
      },
      ack: (mode, seconds) => ackSeconds.observe({ mode }, seconds),
    },
    onScrape: (source, hook) => void hooks.push({ source, hook }),
    scrape() {
      const next = previous.then(render, render);
      previous = next.catch(() => undefined);
      return next;
    },
  };
}
