import { Command } from 'commander';
import { loadConfig } from '../config.js';

/** `connect-ops start`: the bot, its engine and the maintenance watcher, until SIGINT or SIGTERM. */
export function startCommand(): Command {
  return new Command('start')
    .description('run the Slack bot, the runbook engine and the maintenance watcher')
    .action(async () => {
      const config = loadConfig({ require: ['slack', 'heroku', 'durable-store'] });
      // Loaded here, not at the top: the other subcommands should not pay for Bolt and the engine.
      const { startConnectOps } = await import('../main.js');
      const ops = await startConnectOps(config);
      const shutdown = (signal: string) => {
        ops.logger.info({ signal }, 'stopping: in-flight steps finish and are recorded first');
        ops.stop().then(
          () => process.exit(0),
          (error: unknown) => {
            ops.logger.error({ err: error }, 'stopped with an error');
            process.exit(1);
          },
        );
      };
      process.once('SIGINT', () => shutdown('SIGINT'));
      process.once('SIGTERM', () => shutdown('SIGTERM'));
    });
}
