import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { createLogger } from '../src/log.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, destination };
}

describe('logger redaction', () => {
  const token = 'HRKU-AAaaBBbbCCcc1234567890abcdef';
  const slackToken = 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx';

  it('keeps the Heroku token out of a logged request', () => {
    const { lines, destination } = capture();
    const log = createLogger({ secrets: [token], destination });
    log.info(
      { req: { method: 'GET', url: 'https://api.heroku.com/apps/acme-prod', headers: { authorization: `Bearer ${token}`, accept: 'application/vnd.heroku+json; version=3' } } },
      'heroku request',
    );
    const out = lines.join('');
    expect(out).toContain('/apps/acme-prod');
    expect(out).toContain('[REDACTED]');
    expect(out).not.toContain(token);
  });

  it('scrubs tokens and database passwords inside messages and errors', () => {
    const { lines, destination } = capture();
    const log = createLogger({ secrets: [token, slackToken], destination });
    log.error({ err: new Error(`connect ECONNREFUSED postgres://u1:s3cretpw@db.example.com:5432/d1 with ${token}`) }, `posting with ${slackToken}`);
    log.info({ config: { databaseUrl: 'postgres://u1:s3cretpw@host/db', botToken: slackToken } }, 'config');
    const out = lines.join('');
    for (const secret of [token, slackToken, 's3cretpw']) expect(out).not.toContain(secret);
    expect(out).toContain('postgres://[REDACTED]@db.example.com');
  });

  it('scrubs token-shaped values even when the configuration did not name them', () => {
    const { lines, destination } = capture();
    createLogger({ destination }).warn(`retrying with Authorization: Bearer ${token} and ${slackToken}`);
    const out = lines.join('');
    expect(out).not.toContain(token);
    expect(out).not.toContain(slackToken);
  });
});

describe('redaction of free text', () => {
  it('leaves advice that merely mentions tokens readable', async () => {
    const { redactText } = await import('../src/redact.js');
    expect(redactText('HEROKU_API_KEY is required: a Heroku API token: `heroku authorizations:create -d connect-ops`')).toBe(
      'HEROKU_API_KEY is required: a Heroku API token: `heroku authorizations:create -d connect-ops`',
    );
    expect(redactText('password=hunter2hunter2hunter2 token: "abcdefghijklmnop"')).toBe('password=[REDACTED] token: "[REDACTED]"');
  });
});

describe('secrets by value (issue 14, failure 5)', () => {
  const apiKey = 'HRKU-AAaaBBbbCCcc1234567890abcdef';
  const signingSecret = '8f14e45fceea167a5a36dedd4bea2543';
  const databaseUrl = 'postgres://connect:p@ss/w0rd:x@db.example.com:5432/ops';
  const redisUrl = 'redis://:r3dis-secret-pw@cache.example.com:6379';

  it('redacts every configured secret raw, URL-encoded, JSON-escaped and inside URLs, and a URL password on its own', async () => {
    const { createRedactor } = await import('../src/redact.js');
    const r = createRedactor([apiKey, signingSecret, databaseUrl, redisUrl]);
    const echoed = [
      `invalid key ${apiKey}`,
      `signature ${signingSecret} rejected`,
      `could not reach ${databaseUrl}`,
      `password was p@ss/w0rd:x`,
      `encoded ${encodeURIComponent('p@ss/w0rd:x')} and ${encodeURIComponent(databaseUrl)}`,
      `callback=https://example.com/cb?db=${encodeURIComponent(databaseUrl)}&key=${encodeURIComponent(apiKey)}`,
      `form ${new URLSearchParams({ s: signingSecret, p: 'p@ss/w0rd:x' }).toString()}`,
      `redis AUTH r3dis-secret-pw failed`,
    ].join('\n');
    const out = r.text(echoed);
    for (const leaked of [apiKey, signingSecret, 'p@ss/w0rd:x', 'p%40ss%2Fw0rd%3Ax', 'r3dis-secret-pw', 'w0rd']) expect(out).not.toContain(leaked);
    expect(out).toContain('could not reach [REDACTED]');
    // JSON stays JSON when only values are replaced.
    const json = JSON.stringify({ message: `bad ${apiKey}`, url: databaseUrl });
    expect(JSON.parse(r.secrets(json))).toEqual({ message: 'bad [REDACTED]', url: '[REDACTED]' });
  });

  it('takes a connection string whose password holds a raw @ whole, even when the configuration did not name it', async () => {
    const { redactText } = await import('../src/redact.js');
    expect(redactText('ECONNREFUSED postgres://u:p@ss@db.example.com:5432/d')).toBe('ECONNREFUSED postgres://[REDACTED]@db.example.com:5432/d');
  });
});
