import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore, type Store } from '../../src/store/index.js';

/** The local services every developer and CI machine runs; CI points DATABASE_URL and REDIS_URL at them. */
export const postgresUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
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

export interface TestStore {
  store: Store;
  /** Opens a second store on the same data, as a restarted process or another replica would. */
  reopen(): Promise<Store>;
  dispose(): Promise<void>;
}

/** A fresh, migrated store: SQLite in a temp file, or Postgres in a schema of its own that is dropped afterwards. */
export async function createTestStore(dialect: 'sqlite' | 'postgres'): Promise<TestStore> {
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
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const url = new URL(postgresUrl);
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
