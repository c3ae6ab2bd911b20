import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, type KyselyPlugin } from 'kysely';
import pg from 'pg';
import type { Dialect } from './dialect.js';
import { migrateToLatest, pendingMigrations } from './migrate.js';
import { RedactValuesPlugin } from './redact-values.js';
import { CachingSqliteDialect } from './sqlite-dialect.js';
import type { Database } from './schema.js';
import { explainTlsFailure, postgresConnection, type PostgresConnection } from './tls.js';

export type { Database } from './schema.js';
export type { Dialect } from './dialect.js';

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Postgres only: the connection pool, shared with the job queue so a process holds one pool. */
  pool?: pg.Pool;
  /** What every string written goes through (the `redact` it was opened with), for code that keeps copies of what it wrote. */
  redact?: (text: string) => string;
  /**
   * SQLite only: a number that changes when another connection to the file (another process)
   * commits, never for this store's own writes (SQLite's `PRAGMA data_version`), for code that keeps
   * copies of what it wrote to notice writes that are not its own.
   */
  dataVersion?: () => number;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** Postgres connection string; when absent the embedded SQLite file in dataDir is used. */
  databaseUrl?: string;
  /** PGSSLMODE: TLS to that Postgres (see ./tls.ts); `sslmode` in the URL wins over it. */
  sslMode?: string;
  /** PGSSLROOTCERT: the CA file to trust for that Postgres (see ./tls.ts); `sslrootcert` in the URL wins over it. */
  sslRootCert?: string;
  dataDir: string;
  /** SQLite only: ':memory:' for throwaway stores in tests. */
  sqliteFile?: string;
  /** Applied to every string written, so no configured secret is stored (values only: JSON stays JSON). */
  redact?: (text: string) => string;
  /**
   * `apply` (the default) brings the schema up to date; `check` only verifies it is, for a process
   * whose migrations a release phase ran (`connect-ops migrate`, the Procfile's `release`).
   */
  migrations?: 'apply' | 'check';
  /**
   * SQLite only: whether the work asking for the one connection goes ahead of other waiting work
   * (the engine passes "a cutover is under way in this async context").
   */
  urgent?: () => boolean;
}

/** The store's schema is older than the code: its migrations have not run. */
export class StoreBehindError extends Error {
  constructor(readonly pending: string[]) {
    super(
      `The store's schema is behind this release: migration${pending.length === 1 ? '' : 's'} ${pending.join(', ')} ` +
        `${pending.length === 1 ? 'has' : 'have'} not run. Run \`connect-ops migrate\` against this DATABASE_URL ` +
        '(on Heroku the release phase runs it at each deploy: `heroku releases:output` shows why it did not, ' +
        'and `heroku run connect-ops migrate` runs it now).',
    );
    this.name = 'StoreBehindError';
  }
}

/** Opens the store and runs migrations (or checks they ran), so every caller sees the current schema. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const plugins = options.redact ? [new RedactValuesPlugin(options.redact)] : [];
  const connection = options.databaseUrl ? postgresConnection(options.databaseUrl, options.sslMode, options.sslRootCert) : undefined;
  const store = connection ? await openPostgres(connection, plugins, options.redact) : openSqlite(options, plugins);
  try {
    if (options.migrations === 'check') {
      const pending = await pendingMigrations(store.db as Kysely<unknown>, store.dialect);
      if (pending.length > 0) throw new StoreBehindError(pending);
    } else {
      await migrateToLatest(store.db as Kysely<unknown>, store.dialect);
    }
  } catch (error) {
    await store.close();
    throw (connection && explainTlsFailure(error, connection.tls)) || error;
  }
  return store;
}

/** `connect-ops migrate`: applies the pending migrations and returns their names (none: it was current). */
export async function migrateStore(options: Omit<StoreOptions, 'migrations'>): Promise<string[]> {
  const plugins = options.redact ? [new RedactValuesPlugin(options.redact)] : [];
  const connection = options.databaseUrl ? postgresConnection(options.databaseUrl, options.sslMode, options.sslRootCert) : undefined;
  const store = connection ? await openPostgres(connection, plugins) : openSqlite(options, plugins);
  try {
    return await migrateToLatest(store.db as Kysely<unknown>, store.dialect);
  } catch (error) {
    throw (connection && explainTlsFailure(error, connection.tls)) || error;
  } finally {
    await store.close();
  }
}

function openSqlite(options: StoreOptions, plugins: KyselyPlugin[]): Store {
  let file = options.sqliteFile;
  if (!file) {
    mkdirSync(options.dataDir, { recursive: true });
    file = join(options.dataDir, 'connect-ops.sqlite');
  }
  const database = new BetterSqlite3(file);
  // WAL lets the watcher read while the engine writes; the busy timeout rides out short write locks.
  database.pragma('journal_mode = WAL');
  // In WAL mode NORMAL survives a crash of the process (not of the machine) without an fsync per
  // commit; the engine re-probes live state before every mutation, so a lost last write repeats none.
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new CachingSqliteDialect({ database, urgent: options.urgent }), plugins });
  const dataVersion = () => database.pragma('data_version', { simple: true }) as number;
  return { db, dialect: 'sqlite', redact: options.redact, dataVersion, close: () => db.destroy() };
}

/**
 * The pool gets the URL's fields and the TLS settings of ./tls.ts (Heroku Postgres: TLS, unverified),
 * so every connection of the process (the job queue's and the lock session's too) uses them.
 */
async function openPostgres(connection: PostgresConnection, plugins: KyselyPlugin[], redact?: (text: string) => string): Promise<Store> {
  const config = { ...connection.config, ssl: await negotiateTls(connection) };
  const pool = new pg.Pool({ ...config, max: 10 });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins });
  return { db, dialect: 'postgres', pool, redact, close: () => db.destroy() };
}

/**
 * libpq's `prefer` (the default for a local server, as heroku/cli's pg:psql uses it): TLS when the
 * server offers it, else plain. pg cannot fall back per connection, so one probe decides for the pool.
 */
async function negotiateTls(connection: PostgresConnection): Promise<PostgresConnection['tls']['ssl']> {
  const { tls, config } = connection;
  if (!tls.fallback || tls.ssl === false) return tls.ssl;
  // No timeout of its own: the pool's connections have none either, and a loaded machine is slow to answer.
  const probe = new pg.Client({ ...config, ssl: tls.ssl });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return tls.ssl;
  } catch (error) {
    if ((error as Error).message === 'The server does not support SSL connections') return false;
    throw explainTlsFailure(error, tls) ?? error;
  } finally {
    await probe.end().catch(() => undefined);
  }
}
