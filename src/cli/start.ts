import { Command } from 'commander';
import { loadConfig } from '../config.js';

/**
 * Heroku sends SIGTERM, then SIGKILL 30 s later (Dev Center: "Dynos and the Dyno Manager",
 * Graceful shutdown with SIGTERM). Passes in flight get 10 s to reach a persisted point, releasing
 * the rest is bounded after that, and whatever still hangs then does not keep the process past 25 s.
 */
const PASSES_GRACE_MS = 10_000;
const EXIT_BY_MS = 25_000;

/** `connect-ops start`: the bot, its engine and the maintenance watcher, until SIGINT or SIGTERM. */
export function startCommand(): Command {
  return new Command('start')
    .description('run the Slack bot, the runbook engine and the maintenance watcher')
    .action(async () => {
      const config = loadConfig({ require: ['slack', 'heroku', 'durable-store'] });
      // Loaded here, not at the top: the other subcommands should not pay for Bolt and the engine.
      const { bootConnectOps } = await import('../main.js');
      // $PORT is bound first; the engine takes over in the background (main.ts).
      const ops = await bootConnectOps(config);
      let exiting = false;
      const exit = (code: number) => {
        exiting = true;
        process.exit(code);
      };
      const shutdown = (signal: string) => {
        const received = Date.now();
        ops.logger.info({ signal }, 'stopping: Slack requests and steps in flight finish and are recorded first');
        setTimeout(() => {
          ops.logger.error({ signal, ms: Date.now() - received }, 'stopping took too long; exiting now (whoever drives a run next re-probes its step)');
          exit(1);
        }, EXIT_BY_MS - 500).unref();
        ops.stop(received + PASSES_GRACE_MS).then(
          () => {
            ops.logger.info({ signal, ms: Date.now() - received }, 'stopped');
            exit(0);
          },
          (error: unknown) => {
            ops.logger.error({ err: error }, 'stopped with an error');
            exit(1);
          },
        );
      };
      process.once('SIGINT', () => shutdown('SIGINT'));
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      ops.running.catch((error: unknown) => {
        if (exiting || ops.engineState() === 'stopping') return;
        // Another process kept the engine lease past the wait, or the job queue would not start.
        ops.logger.error({ err: error }, 'the engine could not take over; exiting');
        ops.stop(Date.now()).finally(() => exit(1));
      });
    });
}
