import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Command } from 'commander';
import { runsCommand } from '../../src/cli/runs.js';
import { createRunReader, type Engine, type RunView } from '../../src/ops/engine/index.js';
import { createTestStore, type TestStore } from '../support/backends.js';
import { buildEngine, FakeApp, HttpError, registry, startChangeover, statusIs, until } from '../ops/engine/support.js';

let t: TestStore;
let engine: Engine;
let succeeded: RunView;
let failed: RunView;
let closed = 0;

beforeAll(async () => {
  t = await createTestStore('sqlite');
  const prod = new FakeApp();
  const staging = new FakeApp();
  staging.failNext('maintenanceOn', new HttpError(403, 'forbidden', 'You do not have access to the app.', 'req-9'));
  engine = buildEngine(t.store, new Map([['acme-prod', prod], ['acme-staging', staging]]));
  const a = await startChangeover(engine, 'acme-prod', { approvalsRequired: 0 });
  succeeded = await until(engine, a.id, statusIs('succeeded'));
  const b = await startChangeover(engine, 'acme-staging', { approvalsRequired: 0 });
  failed = await until(engine, b.id, statusIs('failed'));
  await engine.stop();
});
afterAll(async () => {
  await t.dispose();
});

/** Runs `connect-ops runs …` on a store opened as the command would, and returns what it printed. */
async function runs(args: string[]): Promise<string> {
  let out = '';
  // Inside a program, as `connect-ops runs …`, so options reach the right subcommand.
  const program = new Command('connect-ops').exitOverride();
  const command = runsCommand({
    open: async () => {
      const store = await t.reopen();
      return { reader: createRunReader({ store, runbooks: registry }), close: async () => void closed++ };
    },
    write: (text) => (out += text),
  });
  for (const sub of command.commands) sub.exitOverride();
  await program.addCommand(command.exitOverride()).parseAsync(['runs', ...args], { from: 'user' });
  return out;
}

describe('connect-ops runs', () => {
  it('lists runs newest first, and by app', async () => {
    const lines = (await runs([])).trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^${failed.id}  \\S+Z  acme-staging  changeover  failed  4/8 steps  by U0REQUEST$`));
    expect(lines[1]).toMatch(new RegExp(`^${succeeded.id} .* acme-prod  changeover  succeeded  8/8 steps`));
    expect((await runs(['-a', 'acme-prod'])).trim().split('\n')).toHaveLength(1);
    expect(await runs(['--active'])).toBe('No runs.\n');
    expect(JSON.parse((await runs(['-a', 'acme-staging', '--json'])).trim())).toMatchObject({ id: failed.id, status: 'failed' });
    expect(closed).toBeGreaterThan(0);
  });

  it('shows a failed run with its error, what to do next, the rollback steps and the audit trail', async () => {
    const out = await runs(['show', failed.id]);
    expect(out).toContain(`Run ${failed.id}: changeover on acme-staging, failed\n`);
    expect(out).toContain(
      'heroku_error at step 5 "turn maintenance mode on": You do not have access to the app. (HTTP 403, Heroku error id forbidden, request req-9)\n',
    );
    expect(out).toMatch(/\nNext: Give the connect-ops token access to the app/);
    expect(out).toContain('The run changed: create the follower\nTo roll back, in order: destroy the follower\n');
    expect(out).toContain('   5. failed    action   turn maintenance mode on\n');
    expect(out).toContain('   6. pending   action   scale the workers to 0\n');
    expect(out).toMatch(/\n {2}\S+Z {2}U0REQUEST {2}run\.created/);
    expect(out).toMatch(/ {2}engine {2}run\.finished {2}\{"status":"failed","code":"heroku_error"\}\n$/);
  });

  it('prints JSON, and says when a run does not exist', async () => {
    const parsed = JSON.parse(await runs(['show', succeeded.id, '--json'])) as { run: RunView; audit: unknown[] };
    expect(parsed.run).toMatchObject({ id: succeeded.id, status: 'succeeded', downtime: { ms: expect.any(Number) } });
    expect(parsed.audit.length).toBeGreaterThan(10);
    await expect(runs(['show', 'r000000000000'])).rejects.toThrow('There is no run r000000000000.');
  });
});
