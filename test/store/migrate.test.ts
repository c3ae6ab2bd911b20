import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from '@jest/globals';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { migrations } from '../../src/store/migrations/index.js';
import { migrateStore, openStore, StoreBehindError, type StoreOptions } from '../../src/store/index.js';
import { postgresUrl, storeBackends, tlsAdminClient, tlsPostgresUrl, type StoreBackend } from '../support/backends.js';

/**
 * `connect-ops migrate` applies the migrations (the Procfile's release phase); a process that only
 * checks (`migrations: 'check'`, the web and worker dynos on Heroku) refuses a store that is behind,
 * naming the migrations and the command to run, and changes nothing.
 */
const dialects = await storeBackends();
const ALL = Object.keys(migrations);

/** Options for an empty store: a fresh SQLite folder, or a fresh Postgres schema; dropped afterwards. */
const cleanups: Array<() => Promise<void>> = [];
async function emptyStore(dialect: StoreBackend): Promise<StoreOptions & { tables(): Promise<number> }> {
  if (dialect === 'sqlite') {
    const dataDir = mkdtempSync(join(tmpdir(), 'connect-ops-migrate-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const tables = async () => {
      const db = new BetterSqlite3(join(dataDir, 'connect-ops.sqlite'), { readonly: true });
      const { n } = db.prepare("select count(*) as n from sqlite_master where type = 'table'").get() as { n: number };
      db.close();
      return n;
    };
    return { dataDir, tables };
  }
  const schema = `test_${randomBytes(6).toString('hex')}`;
  const serverUrl = dialect === 'postgres over TLS' ? tlsPostgresUrl : postgresUrl;
  const admin = dialect === 'postgres over TLS' ? tlsAdminClient(serverUrl) : new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  cleanups.push(async () => {
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
  });
  const url = new URL(serverUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const tables = async () => Number((await admin.query('select count(*) as n from information_schema.tables where table_schema = $1', [schema])).rows[0].n);
  return { databaseUrl: url.toString(), dataDir: '', tables };
}

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe.each(dialects)('store migrations on %s', (dialect) => {
  it('are refused, naming each pending one and `connect-ops migrate`, by a process that only checks; nothing is created', async () => {
    const options = await emptyStore(dialect);
    const failure = await openStore({ ...options, migrations: 'check' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(StoreBehindError);
    expect((failure as StoreBehindError).pending).toEqual(ALL);
    expect((failure as Error).message).toContain(`migrations ${ALL.join(', ')} have not run`);
    expect((failure as Error).message).toContain('Run `connect-ops migrate`');
    expect(await options.tables()).toBe(0);
  });

  it('are applied once by migrate, after which a checking process opens the store', async () => {
    const options = await emptyStore(dialect);
    expect(await migrateStore(options)).toEqual(ALL);
    expect(await migrateStore(options)).toEqual([]);
    const store = await openStore({ ...options, migrations: 'check' });
    // The schema is there: a query on the newest tables works.
    await expect(store.db.selectFrom('runs').select('id').execute()).resolves.toEqual([]);
    await store.close();
  });
});
