import { Command, CommanderError } from 'commander';
import { SUBCOMMANDS } from './cli/subcommands.js';

/**
 * The `connect-ops` command: one subcommand per file under cli/, each with its own --help. Only
 * the subcommand named on the command line is loaded; the others are listed by name and summary.
 */

/** The program for these arguments (as `process.argv`), with the subcommand they name loaded. */
export async function program(argv: readonly string[]): Promise<Command> {
  const named = subcommandOf(argv.slice(2));
  const program = new Command('connect-ops')
    .description('Heroku Connect maintenance, planned, approved and run safely from Slack')
    .showHelpAfterError()
    .configureHelp({ subcommandTerm: (command) => SUBCOMMANDS.find((s) => s.name === command.name())?.term ?? command.name() });
  for (const subcommand of SUBCOMMANDS) {
    program.addCommand(subcommand.name === named ? await subcommand.load() : new Command(subcommand.name).description(subcommand.summary));
  }
  return program;
}

/** The subcommand the arguments run: the first word (`help plan` names plan). */
function subcommandOf(args: readonly string[]): string | undefined {
  const words = args.filter((a) => !a.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}

try {
  await (await program(process.argv)).exitOverride().parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  // A ConfigError already lists every problem and its fix; other errors are one line.
  const { redactText } = await import('./redact.js');
  process.stderr.write(`${redactText(error instanceof Error ? error.message : String(error), await secretsOfEnv())}\n`);
  process.exit(1);
}

/** The configured secrets for an error message, when the configuration itself loads. */
async function secretsOfEnv(): Promise<string[]> {
  try {
    const { loadConfig, secretsOf } = await import('./config.js');
    return secretsOf(loadConfig());
  } catch {
    return [];
  }
}
