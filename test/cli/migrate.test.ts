import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { migrations } from '../../src/store/migrations/index.js';
import { postgresAvailable, postgresUrl, tlsAdminClient, tlsPostgresAvailable, tlsPostgresUrl } from '../support/backends.js';
import { CLI } from '../support/cli.js';

/**
 * The Procfile's release phase and web process, as processes: `connect-ops migrate` brings a new
 * Postgres up to date and exits; `connect-ops start` on a dyno (DYNO set) does not migrate, and
 * refuses a store that is behind with the command to run. The policy comes from
 * CONNECT_OPS_POLICY_YAML, as on a Heroku deploy.
 */
const run = promisify(execFile);
const ALL = Object.keys(migrations);
const hasPostgres = await postgresAvailable();
const hasTlsPostgres = await tlsPostgresAvailable();
const POLICY = 'apps:\n  acme-prod:\n    channel: C0123456789\n    operators: [U01OPERATOR]\n    approvers: [U02APPROVER]\n';

type Outcome = { code: number; stdout: string; stderr: string };
const connectOps = (args: string[], env: Record<string, string>): Promise<Outcome> =>
  run(process.execPath, [...CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: Outcome) => error,
  );

describe('connect-ops migrate', () => {
  it('applies every migration to a new embedded store once, then says it is up to date', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'connect-ops-migrate-'));
    try {
      const first = await connectOps(['migrate'], { CONNECT_OPS_DATA_DIR: dataDir });
      expect(first).toMatchObject({ code: 0, stdout: `Applied ${ALL.length} store migrations: ${ALL.join(', ')}.\n` });
      expect(await connectOps(['migrate'], { CONNECT_OPS_DATA_DIR: dataDir })).toMatchObject({ code: 0, stdout: 'The store is up to date: no migration to apply.\n' });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('on a dyno, needs DATABASE_URL and nothing else', async () => {
    const outcome = await connectOps(['migrate'], { DYNO: 'release.1' });
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain('DATABASE_URL is required on Heroku');
    expect(outcome.stderr).not.toMatch(/SLACK_|HEROKU_API_KEY|CONNECT_OPS_POLICY/);
  }, 120_000);
});

describe.each(hasPostgres ? ['postgres'] : [])('the release phase and the web process on %s', () => {
  let admin: pg.Client;
  let schema: string;
  let databaseUrl: string;
  let tables: () => Promise<number>;
  beforeAll(async () => {
    admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    schema = `test_${randomBytes(6).toString('hex')}`;
    await admin.query(`create schema ${schema}`);
    const url = new URL(postgresUrl);
    url.searchParams.set('options', `-c search_path=${schema}`);
    databaseUrl = url.toString();
    tables = async () => Number((await admin.query('select count(*) as n from information_schema.tables where table_schema = $1', [schema])).rows[0].n);
  });
  afterAll(async () => {
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
  });

  const dyno = () => ({
    DYNO: 'web.1',
    DATABASE_URL: databaseUrl,
    PORT: '0',
    SLACK_BOT_TOKEN: 'xoxb-migrate-test',
    SLACK_SIGNING_SECRET: 'migrate-test-signing-secret',
    HEROKU_API_KEY: 'migrate-test-heroku-key',
    HEROKU_API_URL: 'http://127.0.0.1:9',
    CONNECT_OPS_POLICY: join(tmpdir(), `no-policy-${randomBytes(4).toString('hex')}.yml`),
    CONNECT_OPS_POLICY_YAML: POLICY,
    LOG_LEVEL: 'silent',
  });

  it('the web process refuses a store the release phase has not migrated, naming the command, and creates nothing', async () => {
    const outcome = await connectOps(['start'], dyno());
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain(`migrations ${ALL.join(', ')} have not run. Run \`connect-ops migrate\``);
    expect(outcome.stderr).not.toContain('migrate-test-heroku-key');
    expect(await tables()).toBe(0);
  }, 120_000);

  it('migrate, as the release phase runs it, brings it up to date', async () => {
    const outcome = await connectOps(['migrate'], { DYNO: 'release.1', DATABASE_URL: databaseUrl });
    expect(outcome).toMatchObject({ code: 0, stdout: `Applied ${ALL.length} store migrations: ${ALL.join(', ')}.\n` });
    expect(await tables()).toBeGreaterThan(ALL.length);
  }, 120_000);
});

/**
 * The release phase against a Postgres that accepts TLS only with a self-signed certificate, as
 * Heroku Postgres (`.ci/postgres-tls`): a DATABASE_URL without sslmode just works; verify-full
 * stops with the setting to change, and never prints the URL's password.
 */
(hasTlsPostgres ? describe : describe.skip)('connect-ops migrate on a TLS-only Postgres', () => {
  let admin: pg.Client;
  let schema: string;
  let databaseUrl: string;
  beforeAll(async () => {
    admin = tlsAdminClient(tlsPostgresUrl);
    await admin.connect();
    schema = `test_${randomBytes(6).toString('hex')}`;
    await admin.query(`create schema ${schema}`);
    const url = new URL(tlsPostgresUrl);
    url.password = 'tls-test-password';
    url.searchParams.set('options', `-c search_path=${schema}`);
    databaseUrl = url.toString();
  });
  afterAll(async () => {
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
  });

  it('with PGSSLMODE=verify-full, refuses the self-signed certificate and names the setting to change', async () => {
    const outcome = await connectOps(['migrate'], { DYNO: 'release.1', DATABASE_URL: databaseUrl, PGSSLMODE: 'verify-full' });
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain('does not trust');
    expect(outcome.stderr).toContain('set PGSSLMODE=no-verify');
    expect(outcome.stderr).not.toContain('tls-test-password');
  }, 120_000);

  it('with a DATABASE_URL that names no sslmode, as on Heroku, applies the migrations over TLS', async () => {
    const outcome = await connectOps(['migrate'], { DYNO: 'release.1', DATABASE_URL: databaseUrl });
    expect(outcome).toMatchObject({ code: 0, stdout: `Applied ${ALL.length} store migrations: ${ALL.join(', ')}.\n` });
  }, 120_000);

  // The server's own certificate stands for the CA a private Postgres would name (.ci/postgres-tls).
  const ca = process.env.TLS_DATABASE_CA;
  (ca || process.env.CI === 'true' ? it : it.skip)('with PGSSLMODE=verify-full and PGSSLROOTCERT naming the CA, verifies the certificate and connects', async () => {
    if (!ca) throw new Error('TLS_DATABASE_CA is not set: .ci/run exports the certificate .ci/postgres-tls made');
    const outcome = await connectOps(['migrate'], { DYNO: 'release.1', DATABASE_URL: databaseUrl, PGSSLMODE: 'verify-full', PGSSLROOTCERT: ca });
    expect(outcome).toMatchObject({ code: 0, stdout: 'The store is up to date: no migration to apply.\n' });
  }, 120_000);
});
