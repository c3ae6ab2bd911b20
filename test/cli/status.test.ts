import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { statusCommand } from '../../src/cli/status.js';
import { HerokuApiError } from '../../src/ops/heroku/errors.js';
import { HOUR, startSandbox, type Sandbox } from '../support/simulated-heroku.js';

describe('connect-ops status', () => {
  let sandbox: Sandbox;

  /** Runs `connect-ops status …` against the simulated Heroku and returns what it printed. */
  async function run(...args: string[]): Promise<string> {
    let out = '';
    const command = statusCommand({ clients: () => sandbox.clients, write: (text) => (out += text) });
    command.exitOverride();
    await command.parseAsync(args, { from: 'user' });
    return out;
  }

  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  beforeEach(() => sandbox.sim.reset());
  afterAll(async () => {
    await sandbox.close();
  });

  it("prints the app's connection, its mappings with states and counts, and its database", async () => {
    const out = await run('-a', 'acme-prod');
    const lines = out.split('\n');
    const cells = (line: string | undefined) => line?.trim().split(/\s{2,}/);
    expect(lines[0]).toBe('=== acme-prod');
    expect(out).toMatch(/^Heroku Connect: herokuconnect-[\w-]+ \((IDLE|POLLING_DB_CHANGES)\)$/m);
    expect(out).toContain('  database DATABASE_URL, schema salesforce');
    expect(cells(lines.find((l) => l.trim().startsWith('Account')))).toEqual(['Account', 'DATA_SYNCED', '1,204,311', '1,204,311', '0', '0']);
    expect(lines.filter((l) => /DATA_SYNCED/.test(l))).toHaveLength(4);
    const database = lines.find((l) => l.includes('DATABASE_URL ('));
    expect(cells(database)).toEqual([expect.stringMatching(/^DATABASE_URL \(postgresql-[\w-]+\)$/), 'standard-0', expect.stringMatching(/^PG 15/), 'Available', 'leader']);
  });

  it("shows a follower's lag by the name of its leader, never a database URL", async () => {
    await sandbox.clients.platform.createAddOn('acme-prod', { plan: 'heroku-postgresql:standard-0', attachmentName: 'FOLLOWER', config: { follow: 'DATABASE_URL' } });
    expect(await run('-a', 'acme-prod')).toMatch(/FOLLOWER_URL \(postgresql-[\w-]+\)\s+standard-0\s+provisioning\s+not provisioned yet/);

    sandbox.sim.world.advance(1 * HOUR);
    const out = await run('-a', 'acme-prod');
    expect(out).toMatch(/FOLLOWER_URL \(postgresql-[\w-]+\)\s+standard-0\s+PG 15\S*\s+Available\s+follows DATABASE_URL, behind by [\d,]+ commits?/);
    expect(out).not.toContain('postgres://');
  });

  it('says when an app has no Heroku Connect connection, and still lists its databases', async () => {
    const out = await run('-a', 'initech-api');
    expect(out).toContain('Heroku Connect: No connection(s) found for initech-api');
    expect(out).toMatch(/DATABASE_URL \(postgresql-[\w-]+\)\s+essential-0\s+PG 16/);
  });

  it('fails with Heroku\'s answer for an unknown app', async () => {
    await expect(run('-a', 'no-such-app')).rejects.toBeInstanceOf(HerokuApiError);
  });
});
