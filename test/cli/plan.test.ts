import { describe, expect, it } from '@jest/globals';
import { planCommand, runbookOptions } from '../../src/cli/plan.js';
import { runbooks } from '../../src/ops/runbooks/index.js';
import type { RunbookRegistry } from '../../src/ops/runbooks/runbook.js';
import { registry } from '../ops/engine/support.js';

/** Runs `connect-ops plan …` and returns what it printed. */
async function plan(args: string[], from: RunbookRegistry<never> = registry): Promise<string> {
  let out = '';
  const command = planCommand({ runbooks: from, write: (t) => (out += t) }).exitOverride();
  await command.parseAsync(args, { from: 'user' });
  return out;
}

describe('connect-ops plan', () => {
  it('prints each step with its calls, the downtime and the plan hash', async () => {
    const out = await plan(['changeover', '-a', 'acme-prod']);
    expect(out).toContain('changeover on acme-prod: Move the app to a new follower, with maintenance mode around the cutover\n');
    expect(out).toContain('Expected downtime: 1–10 minutes of stopped writes\n');
    expect(out).toMatch(/Plan hash: [0-9a-f]{64}\n/);
    expect(out).toContain('3. wait     the follower is available  (every 10s, timeout 1h)\n');
    expect(out).toContain('5. action   turn maintenance mode on  (downtime starts; undo: turn maintenance mode off)\n');
    expect(out).toContain('           PATCH /apps/{app} {"maintenance": true}\n');
  });

  it('prints JSON with --json, the same plan the engine approves', async () => {
    const parsed = JSON.parse(await plan(['changeover', '--app', 'acme-prod', '--json'])) as { hash: string; steps: unknown[] };
    expect(parsed.steps).toHaveLength(8);
    expect(parsed.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('passes runbook parameters given as options to the real runbooks', async () => {
    const out = await plan(['upgrade', '-a', 'acme-prod', '--version', '17'], runbooks);
    expect(out).toContain('upgrade on acme-prod: ');
    expect(out).toContain('Parameters: version=17');
    await expect(plan(['upgrade', '-a', 'acme-prod', '--version', 'seventeen'], runbooks)).rejects.toMatchObject({ code: 'invalid_params' });
  });

  it('resolves a command and --via to the runbook it names, and shows each branch with its condition and document step', async () => {
    const out = await plan(['upgrade', '-a', 'acme-prod', '--via', 'follower', '--version', '17'], runbooks);
    expect(out).toContain('upgrade-via-follower on acme-prod: ');
    expect(out).toContain('Follows: Heroku Connect Maintenance Operations, "Upgrading the Version of Your Heroku Postgres Database"');
    expect(out).toMatch(/\d+\. action {3}Promote the new database to DATABASE_URL \(pg:promote\) {2}\(step 5; only when the old database is the app's DATABASE_URL\)\n/);
    expect(out).toMatch(/\d+\. action {3}Point Heroku Connect's db_key at the new database \(connect:db:set\) {2}\(step 5; only when Heroku Connect's db_key is not a name of the old database that moves\)\n/);
    expect(await plan(['plan-change', '-a', 'acme-prod', '--plan', 'standard-2', '--via', 'copy'], runbooks)).toContain('copy on acme-prod: ');
    await expect(plan(['upgrade', '-a', 'acme-prod', '--via', 'fork'], runbooks)).rejects.toThrow('upgrade has no --via fork: choose no --via, --via follower.');
  });

  it('names the runbooks when one is unknown', async () => {
    await expect(plan(['nope', '-a', 'acme-prod'])).rejects.toThrow('There is no runbook named nope. Runbooks: changeover, pause-resume.');
  });
});

describe('runbookOptions', () => {
  it('reads --name value, --name=value and flags, in camelCase', () => {
    expect(runbookOptions(['--version', '17', '--via=follower', '--not-before', '2026-07-01T02:00Z', '--force'])).toEqual({
      version: '17',
      via: 'follower',
      notBefore: '2026-07-01T02:00Z',
      force: true,
    });
    expect(() => runbookOptions(['17'])).toThrow('Unexpected argument "17"');
  });
});
