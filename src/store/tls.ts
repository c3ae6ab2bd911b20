import { readFileSync } from 'node:fs';
import { parse, toClientConfig } from 'pg-connection-string';
import type { ConnectionOptions } from 'node:tls';
import type pg from 'pg';

/**
 * TLS to the store's Postgres, from `sslmode` in DATABASE_URL or else PGSSLMODE (libpq's order:
 * a connection parameter overrides the environment).
 *
 * Heroku Postgres requires TLS and presents a certificate no CA on the dyno vouches for; its
 * DATABASE_URL carries no sslmode. Dev Center, "Connecting to Heroku Postgres" (Node.js) says to
 * connect with `ssl: { rejectUnauthorized: false }`, and heroku/cli's pg:psql sets
 * `PGSSLMODE=require` for a remote host and `prefer` for localhost. So, as there and in libpq:
 * - unset: TLS without verification for a remote host; for a local one, TLS when the server offers
 *   it and plain otherwise (libpq's default, `prefer`);
 * - `require`, `no-verify` (node-postgres's name): TLS, the certificate is not verified (libpq's
 *   `require`, not node-postgres 8's, which verifies; with sslrootcert it verifies the chain);
 * - `verify-ca`: the chain is verified, not the host name; `verify-full`: both;
 * - `disable`: no TLS; `allow`/`prefer`: TLS when the server offers it.
 */
export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'no-verify' | 'verify-ca' | 'verify-full';
const MODES: readonly SslMode[] = ['disable', 'allow', 'prefer', 'require', 'no-verify', 'verify-ca', 'verify-full'];

export interface PostgresTls {
  /** The mode asked for, or `default` when neither the URL nor PGSSLMODE names one. */
  mode: SslMode | 'default';
  /** Where the mode came from, for error messages. */
  source: 'sslmode in DATABASE_URL' | 'PGSSLMODE' | 'the default';
  /** pg's `ssl` option: false for none, else Node's TLS options. */
  ssl: false | ConnectionOptions;
  /** Connect without TLS when the server does not offer it (`allow`, `prefer`, a local default). */
  fallback: boolean;
  /** `host:port`, never the credentials: what messages name. */
  server: string;
}

export interface PostgresConnection {
  /** pg.Pool / pg.Client options: the URL's fields with `ssl` decided here (never `connectionString`, whose sslmode would override it). */
  config: pg.ClientConfig;
  tls: PostgresTls;
}

/** Bad DATABASE_URL / PGSSLMODE: a message naming the setting, never the URL (it holds the password). */
export class PostgresTlsSettingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PostgresTlsSettingError';
  }
}

/**
 * DATABASE_URL, PGSSLMODE and PGSSLROOTCERT (read by src/config.ts) to pg's connection options, with
 * TLS decided as above. PGSSLROOTCERT is libpq's environment name for `sslrootcert`: the file of the
 * CA to trust, used when the URL names none (libpq: "system" trusts the machine's CAs).
 */
export function postgresConnection(databaseUrl: string, sslMode?: string, sslRootCert?: string): PostgresConnection {
  let parsed: ReturnType<typeof parse>;
  let config: pg.ClientConfig & Record<string, unknown>;
  try {
    // libpq semantics for the file parameters (sslrootcert, sslcert, sslkey are read here).
    parsed = parse(databaseUrl, { useLibpqCompat: true });
    config = toClientConfig({ ...parsed, ssl: undefined }) as pg.ClientConfig & Record<string, unknown>;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (message.startsWith('SECURITY WARNING: Using sslmode=verify-ca')) {
      throw new PostgresTlsSettingError('sslmode=verify-ca in DATABASE_URL needs the CA that signed the server\'s certificate: add sslrootcert=<file>, or use sslmode=verify-full or no-verify.');
    }
    // new URL's message never repeats the input; a file parameter's (sslrootcert=…) says what is wrong.
    throw new PostgresTlsSettingError(`DATABASE_URL is not a valid Postgres URL${/Invalid URL/i.test(message) ? '' : `: ${message}`}`);
  }
  const fromUrl = (parsed as { sslmode?: string }).sslmode;
  const fromEnv = sslMode?.trim() || undefined;
  const source = fromUrl ? 'sslmode in DATABASE_URL' : fromEnv ? 'PGSSLMODE' : 'the default';
  const asked = fromUrl ?? fromEnv;
  if (asked !== undefined && !MODES.includes(asked as SslMode)) {
    const setting = fromUrl ? `sslmode=${asked} in DATABASE_URL` : `PGSSLMODE=${asked}`;
    throw new PostgresTlsSettingError(`${setting} is not a TLS mode: use disable, no-verify, require or verify-full (also allow, prefer, verify-ca).`);
  }
  const host = parsed.host ?? '';
  const mode: SslMode | 'default' = (asked as SslMode | undefined) ?? 'default';
  // libpq ignores sslmode on a Unix socket: Postgres offers no TLS there.
  const effective: SslMode = host.startsWith('/') ? 'disable' : mode === 'default' ? (isLocal(host) ? 'prefer' : 'no-verify') : mode;
  // The URL's certificate files (sslrootcert → ca, sslcert → cert, sslkey → key), as pg-connection-string read them.
  const files: ConnectionOptions = typeof parsed.ssl === 'object' && parsed.ssl !== null ? { ...(parsed.ssl as ConnectionOptions) } : {};
  delete files.rejectUnauthorized;
  delete files.checkServerIdentity;
  const rootCert = sslRootCert?.trim();
  if (files.ca === undefined && rootCert && rootCert !== 'system') files.ca = readRootCert(rootCert);
  const ssl = sslFor(effective, files);
  delete config.sslmode;
  delete config.uselibpqcompat;
  config.ssl = ssl;
  const server = `${host.startsWith('/') ? host : host || 'localhost'}:${config.port ?? 5432}`;
  return { config, tls: { mode, source, ssl, fallback: effective === 'allow' || effective === 'prefer', server } };
}

/** PGSSLROOTCERT's file; a message naming the setting and the file when it cannot be read. */
function readRootCert(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
    throw new PostgresTlsSettingError(`PGSSLROOTCERT=${path} cannot be read (${reason}): name the file of the CA that signed the server's certificate, or unset it.`);
  }
}

function sslFor(mode: SslMode, files: ConnectionOptions): false | ConnectionOptions {
  switch (mode) {
    case 'disable':
      return false;
    case 'allow':
    case 'prefer':
    case 'no-verify':
      return { ...files, rejectUnauthorized: false };
    case 'require':
      // libpq: require with a root certificate verifies the chain, as verify-ca.
      return files.ca ? { ...files, checkServerIdentity: () => undefined } : { ...files, rejectUnauthorized: false };
    case 'verify-ca':
      return { ...files, checkServerIdentity: () => undefined };
    case 'verify-full':
      return { ...files };
  }
}

/** A server on this machine: the loopback, or no host at all (pg's default, localhost). */
function isLocal(host: string): boolean {
  return host === '' || host === 'localhost' || host === '::1' || /^127\./.test(host);
}

const UNTRUSTED_CERTIFICATE = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * A connection failure caused by TLS, as an error that says which setting to change; undefined for
 * any other failure. The original error is kept as `cause`.
 */
export function explainTlsFailure(error: unknown, tls: PostgresTls): Error | undefined {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  const setting =
    tls.mode === 'default' ? 'the default (TLS for a server that is not local)' : tls.source === 'PGSSLMODE' ? `PGSSLMODE=${tls.mode}` : `sslmode=${tls.mode} in DATABASE_URL`;
  // Where to change it: the URL's sslmode wins over PGSSLMODE, so a change goes where the mode came from.
  const change = (mode: SslMode) => (tls.source === 'sslmode in DATABASE_URL' ? `sslmode=${mode} in DATABASE_URL` : `PGSSLMODE=${mode}`);
  let explanation: string | undefined;
  if (code !== undefined && UNTRUSTED_CERTIFICATE.has(code)) {
    explanation =
      `Postgres at ${tls.server} presented a certificate this machine does not trust (${message ?? code}), and ${setting} verifies it. ` +
      `Heroku Postgres's certificates are not signed by a CA a dyno trusts: set ${change('no-verify')}, ` +
      'or keep verify-full and name the CA that signed it with sslrootcert=<file> in DATABASE_URL (or PGSSLROOTCERT=<file>).';
  } else if (message === 'The server does not support SSL connections') {
    explanation =
      `Postgres at ${tls.server} does not accept TLS, and ${setting} asks for it. ` +
      `For a server without TLS (a private network, a local container) set ${change('disable')}.`;
  } else if (code === '28000' && message !== undefined && /no encryption/.test(message)) {
    explanation =
      `Postgres at ${tls.server} accepts TLS connections only (its pg_hba.conf refused this one, made without TLS as ${setting} says). ` +
      `Set ${change('require')}, or remove the setting: Heroku Postgres requires TLS.`;
  }
  return explanation === undefined ? undefined : new Error(explanation, { cause: error });
}
