import { Command } from 'commander';

/**
 * `connect-ops migrate`: brings the store's schema up to date, then exits. The Procfile's `release`
 * runs it at every deploy, before any dyno of the new release starts ("Release Phase", Dev Center:
 * a failing release command stops the deploy), so on Heroku the web and worker processes only
 * check that the schema is current.
 */
export interface MigrateCommandDeps {
  /** Applies the pending migrations and returns their names. */
  migrate: () => Promise<string[]>;
  /** Where the report goes (stdout by default). */
  write?: (text: string) => void;
}

export function migrateCommand(deps: MigrateCommandDeps): Command {
  const write = deps.write ?? ((text: string) => process.stdout.write(text));
  return new Command('migrate')
    .description("bring the store's schema up to date (the release phase on Heroku), then exit")
    .action(async () => {
      const applied = await deps.migrate();
      write(applied.length === 0 ? 'The store is up to date: no migration to apply.\n' : `Applied ${applied.length} store migration${applied.length === 1 ? '' : 's'}: ${applied.join(', ')}.\n`);
    });
}
