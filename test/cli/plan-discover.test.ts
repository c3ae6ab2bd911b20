import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { planCommand } from '../../src/cli/plan.js';
import { runbooks } from '../../src/ops/runbooks/index.js';
import { discoverAppConsumers, refusalOptionsFor } from '../../src/ops/runbooks/reads/consumers.js';
import { startSandbox, type Sandbox } from '../support/simulated-heroku.js';

/** `connect-ops plan … --discover` on the simulated Heroku: who uses the database, read before any run. */
describe('connect-ops plan --discover', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.close());

  async function plan(args: string[], policyApps?: string[]): Promise<string> {
    let out = '';
    const consumers = (app: string, runbook?: string) => discoverAppConsumers({ ...sandbox.clients, policyApps }, app, refusalOptionsFor(runbook));
    await planCommand({ runbooks, write: (t) => (out += t), consumers }).exitOverride().parseAsync(args, { from: 'user' });
    return out;
  }

  it('lists every name on every app, the db_key, the follower, the Scheduler and the release phase, with the assumption', async () => {
    const out = await plan(['upgrade', '-a', 'hooli-prod', '--version', '17', '--via', 'follower', '--discover']);
    const section = out.slice(out.indexOf('Who uses the database:'));
    expect(section).toMatch(/^ {2}Database: postgresql-[a-z]+-\d+$/m);
    expect(section).toContain('  Names on hooli-prod: DATABASE_URL, DATABASE_CONNECTION_POOL_URL (connection-pooling:default), HEROKU_POSTGRESQL_CHARCOAL_URL\n');
    expect(section).toContain('  Names on hooli-reports: HOOLI_DB_URL\n');
    expect(section).toContain("  Heroku Connect's db_key: HEROKU_POSTGRESQL_CHARCOAL_URL\n");
    expect(section).toContain('  Processes of hooli-prod: web=2, worker=1\n  Processes of hooli-reports: web=1, worker=1\n');
    expect(section).toMatch(/ {2}Followers: postgresql-[a-z]+-\d+ \(hooli-prod\) — they keep following the old database\n/);
    expect(section).toMatch(/ {2}Heroku Scheduler on hooli-prod \(scheduler-[a-z]+-\d+\): its jobs write through maintenance mode/);
    expect(section).toContain('  Release phase on hooli-prod: every attach and detach runs it\n');
    expect(section).toContain('  Assumption: Every name that points at the old database');
    expect(section).not.toContain('The run will refuse');
    expect(out).not.toMatch(/postgres:\/\//); // no database URL, ever
  });

  it('says what the run will refuse, and gives the consumers in --json', async () => {
    const out = await plan(['plan-change', '-a', 'hooli-prod', '--plan', 'standard-2', '--via', 'follower', '--discover'], ['hooli-prod']);
    expect(out).toContain('The run will refuse: postgresql-');
    expect(out).toContain('hooli-reports, which the policy does not name');
    const json = JSON.parse(await plan(['upgrade', '-a', 'acme-prod', '--version', '17', '--discover', '--json'])) as { consumers: { consumers: { attachments: unknown[] } } };
    expect(json.consumers.consumers.attachments).toEqual([{ app: 'acme-prod', name: 'DATABASE', namespace: null }]);
  });

  it('recreate keeps the database: it lists who must not write, and refuses no app it does not change', async () => {
    const out = await plan(['recreate', '-a', 'hooli-prod', '--discover'], ['hooli-prod']);
    expect(out).toContain('  Names on hooli-reports: HOOLI_DB_URL\n');
    expect(out).toContain('Writes must be stopped before the run, on: hooli-prod (maintenance mode, worker=1 scaled to 0), hooli-reports (maintenance mode, worker=1 scaled to 0)');
    expect(out).not.toContain('The run will refuse');
    // Nothing moves, so the approvers accept who writes, not where the names go.
    expect(out).toContain('  Assumption: The database stays and no name moves.');
    expect(out).not.toContain('each moves to the new database');
    // The same database, cut over by copy, refuses hooli-reports.
    expect(await plan(['plan-change', '-a', 'hooli-prod', '--plan', 'standard-2', '--via', 'copy', '--discover'], ['hooli-prod'])).toContain('hooli-reports, which the policy does not name');
  });

  it('reads nothing without --discover, nor for a runbook that does not cut over', async () => {
    const before = sandbox.sim.world.requestLog.list().length;
    expect(await plan(['upgrade', '-a', 'hooli-prod', '--version', '17'])).not.toContain('Who uses the database');
    expect(await plan(['pause', '-a', 'hooli-prod', '--discover'])).not.toContain('Who uses the database');
    expect(sandbox.sim.world.requestLog.list().length).toBe(before);
  });
});
