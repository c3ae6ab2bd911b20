import type { Logger } from '../../log.js';
import type { Limits } from '../limits.js';
import { ConnectClient } from './connect.js';
import { PostgresDataClient } from './data.js';
import { createHttp, RequestIdChain, type HttpMetrics, type RequestObserver } from './http.js';
import { PlatformClient } from './platform.js';

export interface HerokuClientsOptions {
  apiKey: string;
  apiUrl: string;
  dataApiUrl: string;
  connectDiscoveryUrl: string;
  limits: Limits;
  logger: Logger;
  timeScale?: number;
  timeoutMs?: number;
  onRequest?: RequestObserver;
  /** Counts answers and retries for /metrics. */
  metrics?: HttpMetrics;
}

export interface HerokuClients {
  platform: PlatformClient;
  data: PostgresDataClient;
  connect: ConnectClient;
}

const HEROKU_ACCEPT = 'application/vnd.heroku+json; version=3';

/** The three clients over one token: Platform and data API on the account's shared bucket, Connect on its own. */
export function createHerokuClients(options: HerokuClientsOptions): HerokuClients {
  const { limits, timeScale } = options;
  const logger = options.logger.child({ component: 'heroku' });
  const common = { token: options.apiKey, logger, timeScale, timeoutMs: options.timeoutMs, onRequest: options.onRequest, metrics: options.metrics };
  // The Heroku CLI sends the same Accept (and one Request-Id chain) to both hosts.
  const account = {
    ...common,
    limiter: limits.heroku,
    headers: { Accept: HEROKU_ACCEPT },
    observeRemaining: limits.observeRemaining,
    requestIds: new RequestIdChain(),
  };
  return {
    platform: new PlatformClient(createHttp({ ...account, api: 'platform' }), options.apiUrl),
    data: new PostgresDataClient(createHttp({ ...account, api: 'data' }), options.dataApiUrl),
    connect: new ConnectClient(
      createHttp({ ...common, api: 'connect', limiter: limits.connect, headers: { Accept: 'application/json', 'Heroku-Client': 'connect-ops' } }),
      { discoveryUrl: options.connectDiscoveryUrl, timeScale },
    ),
  };
}
