import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { explainTlsFailure, postgresConnection, PostgresTlsSettingError } from '../../src/store/tls.js';

/**
 * How DATABASE_URL and PGSSLMODE become pg's options. A Heroku Postgres DATABASE_URL (no sslmode,
 * a remote host) gets TLS without verification; the TLS-only server of `.ci/postgres-tls` proves
 * each mode against a real handshake (tls-postgres.test.ts).
 */
const HEROKU_URL = 'postgres://u8d2k3:p4ssw0rd-secret@ec2-3-215-57-87.compute-1.amazonaws.com:5432/d9fo2qke0r1a3b';

describe('the TLS settings of the store', () => {
  it('gives a Heroku Postgres DATABASE_URL TLS without verification, and passes its fields, not the URL', () => {
    const { config, tls } = postgresConnection(HEROKU_URL);
    expect(tls).toMatchObject({ mode: 'default', source: 'the default', fallback: false, server: 'ec2-3-215-57-87.compute-1.amazonaws.com:5432' });
    expect(config).toEqual({
      host: 'ec2-3-215-57-87.compute-1.amazonaws.com',
      port: 5432,
      user: 'u8d2k3',
      password: 'p4ssw0rd-secret',
      database: 'd9fo2qke0r1a3b',
      ssl: { rejectUnauthorized: false },
    });
  });

  it('on a local server by default, uses TLS when the server offers it and plain otherwise (libpq prefer)', () => {
    for (const url of ['postgres://postgres@127.0.0.1:5432/test', 'postgres://postgres@localhost/test', 'postgres://postgres@[::1]:5433/test']) {
      const { tls } = postgresConnection(url);
      expect(tls).toMatchObject({ mode: 'default', fallback: true, ssl: { rejectUnauthorized: false } });
    }
  });

  it('uses no TLS on a Unix socket, as libpq', () => {
    const { config, tls } = postgresConnection('postgres://postgres@%2Fvar%2Frun%2Fpostgresql/test', 'require');
    expect(config).toMatchObject({ host: '/var/run/postgresql', database: 'test', ssl: false });
    expect(tls.fallback).toBe(false);
  });

  it.each([
    ['disable', false],
    ['no-verify', { rejectUnauthorized: false }],
    ['require', { rejectUnauthorized: false }],
    ['verify-full', {}],
  ] as const)('honours PGSSLMODE=%s', (mode, ssl) => {
    const { config, tls } = postgresConnection(HEROKU_URL, mode);
    expect(tls).toMatchObject({ mode, source: 'PGSSLMODE', fallback: false });
    expect(config.ssl).toEqual(ssl);
  });

  it('verifies the chain and not the host name with verify-ca', () => {
    const { ssl } = postgresConnection(HEROKU_URL, 'verify-ca').tls;
    expect(ssl).not.toBe(false);
    const options = ssl as Exclude<typeof ssl, false>;
    expect(options.rejectUnauthorized).toBeUndefined();
    expect(options.checkServerIdentity?.('another.host', {} as never)).toBeUndefined();
  });

  it('takes sslmode in DATABASE_URL over PGSSLMODE, and passes neither to pg', () => {
    const { config, tls } = postgresConnection(`${HEROKU_URL}?sslmode=verify-full`, 'no-verify');
    expect(tls).toMatchObject({ mode: 'verify-full', source: 'sslmode in DATABASE_URL' });
    expect(config.ssl).toEqual({});
    expect(config).not.toHaveProperty('sslmode');
    expect(config).not.toHaveProperty('connectionString');
  });

  it('keeps the URL\'s other parameters (options, application_name)', () => {
    const url = `${HEROKU_URL}?options=-c%20search_path%3Dconnect_ops&application_name=connect-ops&sslmode=require`;
    const { config } = postgresConnection(url);
    expect(config).toMatchObject({ options: '-c search_path=connect_ops', application_name: 'connect-ops', ssl: { rejectUnauthorized: false } });
  });

  describe('with a root certificate in the URL (sslrootcert)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'connect-ops-tls-'));
    const ca = join(dir, 'root.crt');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nnot checked here\n-----END CERTIFICATE-----\n');
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('trusts that CA, and require then verifies the chain as libpq does', () => {
      const full = postgresConnection(`${HEROKU_URL}?sslmode=verify-full&sslrootcert=${ca}`).tls.ssl;
      expect(full).toMatchObject({ ca: expect.stringContaining('not checked here') });
      expect(full).not.toHaveProperty('rejectUnauthorized');
      const required = postgresConnection(`${HEROKU_URL}?sslmode=require&sslrootcert=${ca}`).tls.ssl;
      expect(required).toMatchObject({ ca: expect.stringContaining('not checked here'), checkServerIdentity: expect.any(Function) });
      expect(required).not.toHaveProperty('rejectUnauthorized');
    });

    it('names a root certificate file that is missing', () => {
      expect(() => postgresConnection(`${HEROKU_URL}?sslmode=verify-full&sslrootcert=${join(dir, 'absent.crt')}`)).toThrow(/absent\.crt/);
    });

    it('takes it from PGSSLROOTCERT when the URL names none, as libpq', () => {
      const other = join(dir, 'other.crt');
      writeFileSync(other, '-----BEGIN CERTIFICATE-----\nthe URL\'s\n-----END CERTIFICATE-----\n');
      expect(postgresConnection(HEROKU_URL, 'verify-full', ca).tls.ssl).toEqual({ ca: expect.stringContaining('not checked here') });
      expect(postgresConnection(`${HEROKU_URL}?sslrootcert=${other}`, 'verify-full', ca).tls.ssl).toMatchObject({ ca: expect.stringContaining("the URL's") });
      // libpq's "system": the machine's CAs, which Node uses when given none.
      expect(postgresConnection(HEROKU_URL, 'verify-full', 'system').tls.ssl).toEqual({});
    });

    it('names PGSSLROOTCERT and its file when the file cannot be read, never the URL', () => {
      const attempt = () => postgresConnection(HEROKU_URL, 'verify-full', join(dir, 'absent.crt'));
      expect(attempt).toThrow(PostgresTlsSettingError);
      expect(attempt).toThrow(`PGSSLROOTCERT=${join(dir, 'absent.crt')} cannot be read (ENOENT)`);
      expect(attempt).not.toThrow(/p4ssw0rd-secret/);
    });
  });

  it('refuses a mode it does not know, naming the setting and the modes, never the URL', () => {
    const fromEnv = () => postgresConnection(HEROKU_URL, 'on');
    expect(fromEnv).toThrow(PostgresTlsSettingError);
    expect(fromEnv).toThrow('PGSSLMODE=on is not a TLS mode: use disable, no-verify, require or verify-full');
    const fromUrl = () => postgresConnection(`${HEROKU_URL}?sslmode=strict`);
    expect(fromUrl).toThrow('sslmode=strict in DATABASE_URL is not a TLS mode');
    expect(fromUrl).not.toThrow(/p4ssw0rd-secret/);
  });

  it('asks for the CA with sslmode=verify-ca and no sslrootcert', () => {
    expect(() => postgresConnection(`${HEROKU_URL}?sslmode=verify-ca`)).toThrow('sslmode=verify-ca in DATABASE_URL needs the CA');
  });

  it('says a DATABASE_URL that is not a URL is not one, without repeating it', () => {
    for (const url of ['postgres://u:p4ssw0rd-secret@host:notaport/db', 'postgres://u:p4ssw0rd-secret@host/db?port=abc']) {
      const attempt = () => postgresConnection(url);
      expect(attempt).toThrow('DATABASE_URL is not a valid Postgres URL');
      expect(attempt).not.toThrow(/p4ssw0rd-secret/);
    }
  });
});

describe('a TLS failure at start', () => {
  const heroku = postgresConnection(HEROKU_URL, 'verify-full').tls;

  it('names the setting to change for a certificate this machine does not trust', () => {
    const cause = Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    const explained = explainTlsFailure(cause, heroku);
    expect(explained?.message).toContain('presented a certificate this machine does not trust (self-signed certificate), and PGSSLMODE=verify-full verifies it');
    expect(explained?.message).toContain('set PGSSLMODE=no-verify');
    expect(explained?.cause).toBe(cause);
  });

  it('names PGSSLMODE=disable for a server without TLS', () => {
    const explained = explainTlsFailure(new Error('The server does not support SSL connections'), postgresConnection(HEROKU_URL).tls);
    expect(explained?.message).toContain('does not accept TLS, and the default (TLS for a server that is not local) asks for it');
    expect(explained?.message).toContain('set PGSSLMODE=disable');
  });

  it('leaves other failures as they are', () => {
    expect(explainTlsFailure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }), heroku)).toBeUndefined();
    expect(explainTlsFailure(undefined, heroku)).toBeUndefined();
  });
});
