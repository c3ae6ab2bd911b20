import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { CLI } from '../support/cli.js';

const run = promisify(execFile);

describe('connect-ops start', () => {
  it('exits with one message naming every missing setting and pointing to the sandbox', async () => {
    const env = { PATH: process.env.PATH ?? '', CONNECT_OPS_POLICY: '/nonexistent/connect-ops.yml' };
    const failure = await run(process.execPath, [...CLI, 'start'], { env }).then(
      () => undefined,
      (error: { code: number; stderr: string; stdout: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain('SLACK_BOT_TOKEN is required');
    expect(failure?.stderr).toContain('SLACK_SIGNING_SECRET is required');
    expect(failure?.stderr).toContain('HEROKU_API_KEY is required');
    expect(failure?.stderr).toContain('npm run sandbox');
    expect(failure?.stdout).toBe('');
  }, 20_000);
});
