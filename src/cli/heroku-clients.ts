import pino from 'pino';
import { loadConfig, secretsOf } from '../config.js';
import { createLogger } from '../log.js';
import { createHerokuClients, type HerokuClients } from '../ops/heroku/clients.js';
import { createLimits } from '../ops/limits.js';

/** The Heroku clients of a CLI command, from HEROKU_API_KEY (required) and the API URLs. */
export function herokuClientsFromEnv(): HerokuClients {
  const config = loadConfig({ require: ['heroku'] });
  // Logs go to stderr so that a command's output stays clean to pipe.
  const logger = createLogger({ level: config.logLevel === 'info' ? 'warn' : config.logLevel, secrets: secretsOf(config), destination: pino.destination(2) });
  return createHerokuClients({
    apiKey: config.heroku.apiKey ?? '',
    apiUrl: config.heroku.apiUrl,
    dataApiUrl: config.heroku.dataApiUrl,
    connectDiscoveryUrl: config.heroku.connectDiscoveryUrl,
    limits: createLimits({ timeScale: config.timeScale }),
    logger,
    timeScale: config.timeScale,
  });
}
