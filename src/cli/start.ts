import { Command } from 'commander';
import { loadConfig } from '../config.js';
import type { ConnectOps } from '../main.js';

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
      const booted: { ops?: ConnectOps } = {};
      let exiting = false;
      const exit = (code: number) => {
        exiting = true;
        process.exit(code);
      };
      let received: { signal: string; at: number } | undefined;
      const stop = (running: ConnectOps, { signal, at }: { signal: string; at: number }) => {
        running.logger.info({ signal }, 'stopping: Slack requests and steps in flight finish and are recorded first');
        running.stop(at + PASSES_GRACE_MS).then(
          () => {
            running.logger.info({ signal, ms: Date.now() - at }, 'stopped');
            exit(0);
          },
          (error: unknown) => {
            running.logger.error({ err: error }, 'stopped with an error');
            exit(1);
          },
        );
      };
      // Handled from the start: a signal while the bot loads stops it once it is up.
      const shutdown = (signal: string) => {
        if (received) return;
        received = { signal, at: Date.now() };
        setTimeout(() => {
          (booted.ops?.logger ?? console).error('stopping took too long; exiting now (whoever drives a run next re-probes its step)');
          exit(1);
        }, EXIT_BY_MS - 500).unref();
        if (booted.ops) stop(booted.ops, received);
      };
      process.once('SIGINT', () => shutdown('SIGINT'));
      process.once('SIGTERM', () => shutdown('SIGTERM'));

      // $PORT is bound before Bolt and the engine are loaded (Socket Mode's receiver binds it itself).
      const listener = config.slack.appToken ? undefined : await (await import('../bot/boot-listener.js')).listenEarly(config.port);
      // Loaded here, not at the top: the other subcommands should not pay for Bolt and the engine.
      const { bootConnectOps } = await import('../main.js');
      // The engine takes over in the background (main.ts).
      const running = await bootConnectOps(config, { listener });
      booted.ops = running;
      if (received) stop(running, received);
      running.running.catch((error: unknown) => {
        if (exiting || received || running.engineState() === 'stopping') return;
        // Another process kept the engine lease past the wait, or the job queue would not start.
        running.logger.error({ err: error }, 'the engine could not take over; exiting');
        running.stop(Date.now()).finally(() => exit(1));
      });
    });
}
