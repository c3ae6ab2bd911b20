import { Command, InvalidArgumentError, Option } from 'commander';
import { createLogger } from '../log.js';
import { DEFAULT_PORTS, DEFAULT_TIME_SCALE, startSandbox, type Sandbox } from '../sandbox/run.js';

/**
 * `connect-ops sandbox`: connect-ops without Slack or Heroku accounts. Starts the simulated Heroku,
 * the bot and the Slack page (src/sandbox/run.ts), prints where they are and the env block that
 * points the CLI at the simulated Heroku, and stops everything on Ctrl-C.
 */

export interface SandboxCommandDeps {
  /** Where the banner goes (stdout by default). */
  write?: (text: string) => void;
  /** Resolves when the sandbox should stop: on SIGINT or SIGTERM by default. */
  until?: () => Promise<void>;
}

interface SandboxCommandOptions {
  port: number;
  herokuPort: number;
  timeScale: number;
  bot: boolean;
  logLevel: string;
}

export function sandboxCommand(deps: SandboxCommandDeps = {}): Command {
  const write = deps.write ?? ((text: string) => process.stdout.write(text));
  return new Command('sandbox')
    .description('try connect-ops on this machine: a simulated Heroku, the bot, and a Slack stand-in in the browser')
    .option('--port <port>', 'port of the Slack page', port, DEFAULT_PORTS.page)
    .option('--heroku-port <port>', 'port of the simulated Heroku (the env block points there)', port, DEFAULT_PORTS.heroku)
    .option('--time-scale <n>', 'simulated milliseconds per real millisecond', timeScale, DEFAULT_TIME_SCALE)
    .option('--no-bot', 'start the simulated Heroku alone, for `connect-ops status` and friends')
    .addOption(new Option('--log-level <level>', "the bot's log level").choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'))
    .action(async (options: SandboxCommandOptions) => {
      const sandbox = await startSandbox({
        ports: { page: options.port, heroku: options.herokuPort },
        timeScale: options.timeScale,
        bot: options.bot,
        logger: createLogger({ level: options.logLevel }),
      }).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
          throw new Error(`${(error as Error).message}: another program uses that port; choose others with --port and --heroku-port.`);
        }
        throw error;
      });
      write(banner(sandbox));
      await (deps.until ?? untilSignal)();
      write('Stopping the sandbox…\n');
      await sandbox.stop();
    });
}

function banner(sandbox: Sandbox): string {
  const lines = [`connect-ops sandbox: simulated time runs ${sandbox.timeScale}× faster than real time.`, ''];
  if (sandbox.urls.page) {
    lines.push(
      `  Slack page        ${sandbox.urls.page}`,
      '                    open it, pick #acme-prod and type /connect upgrade acme-prod',
      `  Simulated Heroku  ${sandbox.urls.heroku}`,
      `  Bot               ${sandbox.urls.events ?? ''}`,
    );
  } else {
    lines.push(`  Simulated Heroku  ${sandbox.urls.heroku}  (no bot: --no-bot)`);
  }
  lines.push('', 'To use the CLI against the simulated Heroku, paste this in another terminal:', '', envBlock(sandbox.env), '', '  npx connect-ops status -a acme-prod', '', 'Ctrl-C stops everything.', '');
  return lines.join('\n');
}

/** `export NAME=value` lines, ready to paste into a POSIX shell. */
function envBlock(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([name, value]) => `  export ${name}=${value}`)
    .join('\n');
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number (0 picks a free one)');
  return n;
}

function timeScale(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a number above 0, e.g. 600');
  return n;
}
