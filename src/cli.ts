import { Command, CommanderError } from 'commander';
import pino from 'pino';
import { loadConfig } from './config.js';
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
import { openStore } from './store/index.js';
import { redactText } from './redact.js';

/** The `connect-ops` command: one subcommand per file under cli/, each with its own --help. */

function herokuClients() {
  const config = loadConfig({ require: ['heroku'] });
  // Logs go to stderr so that a command's output stays clean to pipe.
  const logger = createLogger({ level: config.logLevel === 'info' ? 'warn' : config.logLevel, secrets: [config.heroku.apiKey ?? ''], destination: pino.destination(2) });
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
  return new Command('connect-ops')
    .description('Heroku Connect maintenance, planned, approved and run safely from Slack')
    .showHelpAfterError()
    .addCommand(startCommand())
    .addCommand(sandboxCommand())
    .addCommand(statusCommand({ clients: herokuClients }))
    .addCommand(planCommand({ runbooks }))
    .addCommand(
      runsCommand({
        open: async () => {
          const store = await openStore(defaults.store);
          return { reader: createRunReader({ store, runbooks, timeScale: defaults.timeScale }), close: () => store.close() };
        },
      }),
    )
    .addCommand(maintenanceCommand({ statusUrl: defaults.status.herokuStatusUrl, trustUrl: defaults.status.salesforceTrustUrl }));
}

try {
  await program().exitOverride().parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  // A ConfigError already lists every problem and its fix; other errors are one line.
  process.stderr.write(`${redactText(error instanceof Error ? error.message : String(error))}\n`);
  process.exit(1);
}
