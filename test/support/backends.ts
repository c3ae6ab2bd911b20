import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore, type Store } from '../../src/store/index.js';
import { postgresConnection } from '../../src/store/tls.js';

/** The local services every developer and CI machine runs; CI points DATABASE_URL and REDIS_URL at them. */
export const postgresUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/**
 * A Postgres that accepts TLS only, with a self-signed certificate, as Heroku Postgres: the cluster
 * `.ci/postgres-tls` creates (CI runs it and exports this). Its URL names no sslmode, as Heroku's.
 */
export const tlsPostgresUrl = process.env.TLS_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5433/test';
const inCi = process.env.CI === 'true';

/**
 * Whether a backend test may run. Off CI an unreachable service skips its tests with a warning;
 * on CI it is an error, so backend tests can never silently stop running there.
 */
export async function backendAvailable(name: string, probe: () => Promise<void>): Promise<boolean> {
  try {
    await probe();
    return true;
  } catch (error) {
    const message = `${name} is unreachable: ${error instanceof Error ? error.message : String(error)}`;
    if (inCi) throw new Error(`${message} (CI=true: backend tests must run)`);
    console.warn(`${message}; skipping its tests`);
    return false;
  }
}

export async function postgresAvailable(): Promise<boolean> {
  return backendAvailable('PostgreSQL', async () => {
    const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 2000 });
    await client.connect();
    await client.end();
  });
}

/** The TLS-only Postgres is up (on CI it must be: `.ci/run` starts it). */
export async function tlsPostgresAvailable(): Promise<boolean> {
  return backendAvailable('The TLS-only PostgreSQL of .ci/postgres-tls (TLS_DATABASE_URL)', async () => {
    const client = tlsAdminClient(tlsPostgresUrl);
    await client.connect();
    await client.end();
  });
}

/** A client for test bookkeeping on the TLS-only Postgres: TLS without verification, whatever the URL says. */
export function tlsAdminClient(url: string): pg.Client {
  return new pg.Client({ ...postgresConnection(url).config, ssl: { rejectUnauthorized: false }, connectionTimeoutMillis: 2000 });
}

/** Where a store test runs: SQLite, the local Postgres, and the TLS-only one (Heroku Postgres's TLS). */
export type StoreBackend = 'sqlite' | 'postgres' | 'postgres over TLS';

export interface TestStore {
  store: Store;
  /** Opens a second store on the same data, as a restarted process or another replica would. */
  reopen(): Promise<Store>;
  dispose(): Promise<void>;
}

/** A fresh, migrated store: SQLite in a temp file, or Postgres in a schema of its own that is dropped afterwards. */
export async function createTestStore(dialect: StoreBackend): Promise<TestStore> {
  const opened: Store[] = [];
  if (dialect === 'sqlite') {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dataDir = mkdtempSync(join(tmpdir(), 'connect-ops-test-'));
    const open = async () => {
      const s = await openStore({ dataDir });
      opened.push(s);
      return s;
    };
    return {
      store: await open(),
      reopen: open,
      dispose: async () => {
        await Promise.all(opened.map((s) => s.close()));
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const schema = `test_${randomBytes(6).toString('hex')}`;
  const serverUrl = dialect === 'postgres over TLS' ? tlsPostgresUrl : postgresUrl;
  const admin = dialect === 'postgres over TLS' ? tlsAdminClient(serverUrl) : new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const url = new URL(serverUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const open = async () => {
    const s = await openStore({ databaseUrl: url.toString(), dataDir: '' });
    opened.push(s);
    return s;
  };
  return {
    store: await open(),
    reopen: open,
    dispose: async () => {
      await Promise.all(opened.map((s) => s.close()));
      await admin.query(`drop schema ${schema} cascade`);
      await admin.end();
    },
  };
}

/** The dialects a store test runs on: SQLite always, Postgres when reachable (always on CI). */
export async function storeDialects(): Promise<Array<'sqlite' | 'postgres'>> {
  return (await postgresAvailable()) ? ['sqlite', 'postgres'] : ['sqlite'];
}

/** The backends the store's own tests run on: storeDialects(), and the TLS-only Postgres when up (always on CI). */
export async function storeBackends(): Promise<StoreBackend[]> {
  const backends: StoreBackend[] = await storeDialects();
  return (await tlsPostgresAvailable()) ? [...backends, 'postgres over TLS'] : backends;
}
