import type { Command } from 'commander';

/**
 * The `connect-ops` subcommands, each loaded only when it runs: `connect-ops plan` does not load
 * Bolt, the engine's workers or the simulator, and `--help` loads none of them (bench/cli.ts
 * measures it). `term` and `summary` are what the top-level help lists without loading a command;
 * test/cli/subcommands.test.ts keeps them equal to each command's own.
 */
export interface Subcommand {
  name: string;
  /** As commander's help lists it: `plan [options] <runbook>`. */
  term: string;
  /** The command's description. */
  summary: string;
  load(): Promise<Command>;
}

export const SUBCOMMANDS: readonly Subcommand[] = [
  {
    name: 'start',
    term: 'start',
    summary: 'run the Slack bot, the runbook engine and the maintenance watcher',
    load: async () => (await import('./start.js')).startCommand(),
  },
  {
    name: 'migrate',
    term: 'migrate',
    summary: "bring the store's schema up to date (the release phase on Heroku), then exit",
    load: async () => {
      const { migrateCommand } = await import('./migrate.js');
      return migrateCommand({
        migrate: async () => {
          const [{ loadConfig, secretsOf }, { createRedactor }, { migrateStore }] = await Promise.all([
            import('../config.js'),
            import('../redact.js'),
            import('../store/index.js'),
          ]);
          // On Heroku this needs DATABASE_URL, as `start` does; no Slack or Heroku credentials.
          const config = loadConfig({ require: ['durable-store'] });
          return migrateStore({ ...config.store, redact: createRedactor(secretsOf(config)).secrets });
        },
      });
    },
  },
  {
    name: 'sandbox',
    term: 'sandbox [options]',
    summary: 'try connect-ops on this machine: a simulated Heroku, the bot, and a Slack stand-in in the browser',
    load: async () => (await import('./sandbox.js')).sandboxCommand(),
  },
  {
    name: 'status',
    term: 'status [options]',
    summary: "show an app's Heroku Connect connection, its mappings, and its Postgres databases",
    load: async () => {
      const [{ statusCommand }, { cliContext }] = await Promise.all([import('./status.js'), import('./context.js')]);
      const { write } = cliContext();
      return statusCommand({ clients: async () => (await import('./heroku-clients.js')).herokuClientsFromEnv(), write });
    },
  },
  {
    name: 'plan',
    term: 'plan [options] <runbook>',
    summary: 'print the steps a runbook would take on an app, the API calls of each and the expected downtime; changes nothing',
    load: async () => {
      const [{ planCommand }, { runbooks }, { cliContext }] = await Promise.all([import('./plan.js'), import('../ops/runbooks/index.js'), import('./context.js')]);
      const { write } = cliContext();
      return planCommand({
        runbooks,
        write,
        // --discover reads Heroku; a plain plan loads no HTTP client.
        consumers: async (app, runbook) => {
          const [{ herokuClientsFromEnv }, { discoverAppConsumers, refusalOptionsFor }] = await Promise.all([import('./heroku-clients.js'), import('../ops/runbooks/reads/consumers.js')]);
          return discoverAppConsumers(herokuClientsFromEnv(), app, refusalOptionsFor(runbook));
        },
      });
    },
  },
  {
    name: 'runs',
    term: 'runs',
    summary: 'runs from the store: `runs [-a APP]` lists them, `runs show RUN` shows one',
    load: async () => {
      const [{ runsCommand }, { cliContext }] = await Promise.all([import('./runs.js'), import('./context.js')]);
      const { defaults, write, redact } = cliContext();
      return runsCommand({
        open: async () => {
          const [{ openStore }, { createRunReader }, { runbooks }] = await Promise.all([
            import('../store/index.js'),
            import('../ops/engine/index.js'),
            import('../ops/runbooks/index.js'),
          ]);
          const store = await openStore({ ...defaults.store, redact });
          return { reader: createRunReader({ store, runbooks, timeScale: defaults.timeScale }), close: () => store.close() };
        },
        write,
      });
    },
  },
  {
    name: 'maintenance',
    term: 'maintenance',
    summary: 'Heroku Connect maintenance windows from Heroku status and Salesforce Trust',
    load: async () => {
      const [{ maintenanceCommand }, { cliContext }] = await Promise.all([import('./maintenance.js'), import('./context.js')]);
      const { defaults, write } = cliContext();
      return maintenanceCommand({ statusUrl: defaults.status.herokuStatusUrl, trustUrl: defaults.status.salesforceTrustUrl, write });
    },
  },
];
