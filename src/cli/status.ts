import { Command } from 'commander';
import { appStatus, type AppStatus, type DatabaseStatus } from '../ops/app-status.js';
import type { HerokuClients } from '../ops/heroku/clients.js';
import { behindBy, databaseStatus } from '../ops/heroku/data.js';

/** `connect-ops status -a APP`: prints the app's status (../ops/app-status.ts) as a report. */

export interface StatusDeps {
  /** The Heroku clients; the composition root builds them from the configuration. */
  clients: () => HerokuClients | Promise<HerokuClients>;
  /** Where the report goes (stdout by default). */
  write?: (text: string) => void;
}

export function statusCommand(deps: StatusDeps): Command {
  return new Command('status')
    .description("show an app's Heroku Connect connection, its mappings, and its Postgres databases")
    .requiredOption('-a, --app <app>', 'Heroku app name')
    .option('-r, --resource <name>', 'Heroku Connect add-on name, when the app has several connections')
    .action(async (options: { app: string; resource?: string }) => {
      const status = await appStatus(await deps.clients(), options.app, { resourceName: options.resource });
      (deps.write ?? ((text) => process.stdout.write(text)))(formatStatus(status));
    });
}

export function formatStatus(status: AppStatus): string {
  const lines = [`=== ${status.app}`, ''];
  const c = status.connection;
  if (!c) {
    lines.push(`Heroku Connect: ${status.connectProblem ?? 'no connection'}`);
  } else {
    lines.push(`Heroku Connect: ${c.resource_name} (${c.state})`, `  database ${c.db_key ?? 'not set'}, schema ${c.schema_name ?? 'not set'}`);
    if (c.mappings.length === 0) lines.push('  no mappings');
    else {
      const count = (n: number | null | undefined) => (typeof n === 'number' ? n.toLocaleString('en-US') : '?');
      lines.push(
        ...table([
          ['  mapping', 'state', 'db', 'salesforce', 'pending', 'errors'],
          ...c.mappings.map((m) => [`  ${m.object_name}`, m.state, count(m.counts?.db), count(m.counts?.sf), count(m.counts?.pending), count(m.counts?.errors)]),
        ]),
      );
    }
  }
  lines.push('', 'Postgres:');
  if (status.databases.length === 0) lines.push('  no Heroku Postgres add-ons');
  lines.push(...table(status.databases.map(databaseRow)));
  return `${lines.join('\n')}\n`;
}

function databaseRow(s: DatabaseStatus): string[] {
  const name = `  ${s.attachments.map((a) => `${a}_URL`).join(', ') || '(not attached)'} (${s.addOn.name})`;
  const plan = s.addOn.plan.name.replace(/^heroku-postgresql:/, '');
  const db = s.database;
  if (!db) return [name, plan, s.addOn.state, s.problem ?? 'unknown'];
  const role = db.following ? `follows ${s.following?.join(', ') || 'another database'}, ${lag(behindBy(db))}` : 'leader';
  return [name, plan, `PG ${db.postgres_version ?? '?'}`, databaseStatus(db) ?? 'status unknown', role];
}

const lag = (commits: number | undefined) => (commits === undefined ? 'lag unknown' : `behind by ${commits.toLocaleString('en-US')} commit${commits === 1 ? '' : 's'}`);

/** Left-aligned columns, two spaces apart. */
function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '));
}
