import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import pg from 'pg';
import { queueSchemaFor, startJobQueue } from '../../src/queue/index.js';
import { migrateStore, openStore, type Store } from '../../src/store/index.js';
import { postgresConnection } from '../../src/store/tls.js';
import { createTestStore, tlsAdminClient, tlsPostgresAvailable, tlsPostgresUrl, type TestStore } from '../support/backends.js';
import { silent } from '../ops/engine/support.js';

/**
 * The store against a Postgres that, like Heroku Postgres, accepts TLS only and presents a
 * self-signed certificate (`.ci/postgres-tls`): refused without TLS, refused by verify-full with a
 * message naming the setting to change, connected by default (a URL without sslmode, as Heroku's),
 * no-verify and require; the job queue (pg-boss) works through the same pool.
 */
const available = await tlsPostgresAvailable();
// The cluster's certificate, for verify-full with sslrootcert (.ci/run exports it; off CI the test skips without it).
const ca = process.env.TLS_DATABASE_CA;

(available ? describe : describe.skip)('the store on a TLS-only Postgres with a self-signed certificate', () => {
  let admin: pg.Client;
  const schemas: string[] = [];
  const stores: Store[] = [];

  beforeAll(async () => {
    admin = tlsAdminClient(tlsPostgresUrl);
    await admin.connect();
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
  });
  afterAll(async () => {
    for (const schema of schemas) await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  });

  /** A URL for a fresh schema on the TLS server, with these extra parameters. */
  async function freshUrl(params: Record<string, string> = {}): Promise<string> {
    const schema = `test_${randomBytes(6).toString('hex')}`;
    await admin.query(`create schema ${schema}`);
    schemas.push(schema);
    const url = new URL(tlsPostgresUrl);
    url.searchParams.set('options', `-c search_path=${schema}`);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    return url.toString();
  }

  /** Opens the store as `connect-ops start` does, with PGSSLMODE and PGSSLROOTCERT (src/config.ts reads them) as given. */
  async function open(databaseUrl: string, sslMode?: string, sslRootCert?: string): Promise<Store> {
    const store = await openStore({ databaseUrl, sslMode, sslRootCert, dataDir: '' });
    stores.push(store);
    return store;
  }

  const failure = (attempt: Promise<unknown>): Promise<Error> =>
    attempt.then(
      () => {
        throw new Error('expected the connection to fail');
      },
      (error: unknown) => error as Error,
    );

  /** Whether the store's connection is encrypted, as the server sees it. */
  async function encrypted(store: Store): Promise<boolean> {
    const { rows } = await sql<{ ssl: boolean }>`select ssl from pg_stat_ssl where pid = pg_backend_pid()`.execute(store.db);
    return rows[0]!.ssl;
  }

  it('refuses a connection without TLS', async () => {
    const plain = new pg.Client({ ...postgresConnection(tlsPostgresUrl).config, ssl: false });
    const error = await failure(plain.connect());
    expect(error.message).toMatch(/pg_hba\.conf rejects connection .* no encryption/);
  });

  it('with PGSSLMODE=disable, fails at start saying TLS is required and which setting to change', async () => {
    const error = await failure(open(await freshUrl(), 'disable'));
    expect(error.message).toContain('accepts TLS connections only');
    expect(error.message).toContain('Set PGSSLMODE=require');
  });

  it('with PGSSLMODE=verify-full, refuses the self-signed certificate, naming no-verify and sslrootcert', async () => {
    const error = await failure(open(await freshUrl(), 'verify-full'));
    expect(error.message).toMatch(/presented a certificate this machine does not trust \(self[- ]signed certificate\), and PGSSLMODE=verify-full verifies it/);
    expect(error.message).toContain('set PGSSLMODE=no-verify');
    expect(error.message).toContain('sslrootcert=<file>');
  });

  it('with sslmode=verify-full in the URL, says so', async () => {
    const error = await failure(open(await freshUrl({ sslmode: 'verify-full' })));
    expect(error.message).toContain('sslmode=verify-full in DATABASE_URL verifies it');
    expect(error.message).toContain('set sslmode=no-verify in DATABASE_URL');
  });

  (ca || process.env.CI === 'true' ? it : it.skip)('with verify-full and the certificate as sslrootcert, verifies it and connects', async () => {
    if (!ca) throw new Error('TLS_DATABASE_CA is not set: .ci/run exports the certificate .ci/postgres-tls made');
    const store = await open(await freshUrl({ sslmode: 'verify-full', sslrootcert: ca! }));
    expect(await encrypted(store)).toBe(true);
  });

  (ca || process.env.CI === 'true' ? it : it.skip)('with PGSSLMODE=verify-full and the certificate as PGSSLROOTCERT, verifies it and connects', async () => {
    if (!ca) throw new Error('TLS_DATABASE_CA is not set: .ci/run exports the certificate .ci/postgres-tls made');
    expect(await encrypted(await open(await freshUrl(), 'verify-full', ca))).toBe(true);
  });

  it('connects over TLS by default, as with a Heroku DATABASE_URL that names no sslmode', async () => {
    const store = await open(await freshUrl());
    expect(await encrypted(store)).toBe(true);
    await expect(store.db.selectFrom('runs').select('id').execute()).resolves.toEqual([]);
  });

  it.each(['no-verify', 'require'])('connects over TLS with PGSSLMODE=%s, and with it in the URL', async (mode) => {
    expect(await encrypted(await open(await freshUrl(), mode))).toBe(true);
    expect(await encrypted(await open(await freshUrl({ sslmode: mode })))).toBe(true);
  });

  it('migrates a new store over TLS (connect-ops migrate)', async () => {
    const url = await freshUrl();
    const applied = await migrateStore({ databaseUrl: url, dataDir: '' });
    expect(applied.length).toBeGreaterThan(0);
    expect(await migrateStore({ databaseUrl: url, dataDir: '' })).toEqual([]);
    await expect(openStore({ databaseUrl: url, dataDir: '', migrations: 'check' }).then((s) => stores.push(s))).resolves.toBe(1);
  });
});

(available ? describe : describe.skip)('the job queue on a TLS-only Postgres', () => {
  let t: TestStore;
  let queueSchema: string;
  beforeAll(async () => {
    t = await createTestStore('postgres over TLS');
    queueSchema = await queueSchemaFor(t.store);
  });
  afterAll(async () => {
    await t.dispose();
    const admin = tlsAdminClient(tlsPostgresUrl);
    await admin.connect();
    await admin.query(`drop schema if exists ${queueSchema} cascade`);
    await admin.end();
  });

  it('sends and fetches a job through the store\'s TLS pool (pg-boss)', async () => {
    const queue = await startJobQueue({ store: t.store, logger: silent });
    try {
      await queue.boss.createQueue('tls-check');
      const id = await queue.boss.send('tls-check', { over: 'tls' });
      const [job] = await queue.boss.fetch<{ over: string }>('tls-check');
      expect(job).toMatchObject({ id, data: { over: 'tls' } });
    } finally {
      await queue.stop(500);
    }
  });
});
