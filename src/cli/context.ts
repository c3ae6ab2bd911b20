import { loadConfig, secretsOf, type Config } from '../config.js';
import { createRedactor } from '../redact.js';

/**
 * What the subcommands that print data (status, plan, runs, maintenance) share: the configuration's
 * defaults and stdout with every configured secret redacted (a run's error Heroku echoed, a status).
 */
export interface CliContext {
  defaults: Config;
  write: (text: string) => void;
  redact: (text: string) => string;
}

export function cliContext(): CliContext {
  const defaults = loadConfig();
  const redactor = createRedactor(secretsOf(defaults));
  return { defaults, write: (text) => void process.stdout.write(redactor.secrets(text)), redact: redactor.secrets };
}
