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
