import { Command, CommanderError } from 'commander';
import pino from 'pino';
import { loadConfig, secretsOf } from './config.js';
import { maintenanceCommand } from './cli/maintenance.js';
import { planCommand } from './cli/plan.js';
import { runsCommand } from './cli/runs.js';
import { sandboxCommand } from './cli/sandbox.js';
import { startCommand } from './cli/start.js';
import { statusCommand } from './cli/status.js';
import { createLogger } from './log.js';
import { createHerokuClients } from './ops/heroku/clients.js';
import { createRunReader } from './ops/engine/index.js';
import { createLimits } from './ops/limits.js';
import { runbooks } from './ops/runbooks/index.js';
import { discoverAppConsumers } from './ops/runbooks/reads/consumers.js';
import { openStore } from './store/index.js';
import { createRedactor, redactText } from './redact.js';

/** The `connect-ops` command: one subcommand per file under cli/, each with its own --help. */

function herokuClients() {
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

export function program(): Command {
  const defaults = loadConfig();
  // Whatever a command prints (a run's error Heroku echoed, a status), no configured secret is in it.
  const redactor = createRedactor(secretsOf(defaults));
  const write = (text: string) => void process.stdout.write(redactor.secrets(text));
  return new Command('connect-ops')
    .description('Heroku Connect maintenance, planned, approved and run safely from Slack')
    .showHelpAfterError()
    .addCommand(startCommand())
    .addCommand(sandboxCommand())
    .addCommand(statusCommand({ clients: herokuClients, write }))
    .addCommand(planCommand({ runbooks, write, consumers: (app) => discoverAppConsumers(herokuClients(), app) }))
    .addCommand(
      runsCommand({
        open: async () => {
          const store = await openStore({ ...defaults.store, redact: redactor.secrets });
          return { reader: createRunReader({ store, runbooks, timeScale: defaults.timeScale }), close: () => store.close() };
        },
        write,
      }),
    )
    .addCommand(maintenanceCommand({ statusUrl: defaults.status.herokuStatusUrl, trustUrl: defaults.status.salesforceTrustUrl, write }));
}

try {
  await program().exitOverride().parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  // A ConfigError already lists every problem and its fix; other errors are one line.
  process.stderr.write(`${redactText(error instanceof Error ? error.message : String(error), secretsOfEnv())}\n`);
  process.exit(1);
}

/** The configured secrets for an error message, when the configuration itself loads. */
function secretsOfEnv(): string[] {
  try {
    return secretsOf(loadConfig());
  } catch {
    return [];
  }
}
