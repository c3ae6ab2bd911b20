import { afterEach, describe, expect, it } from '@jest/globals';
import { createLogger } from '../../src/log.js';
import { createMetrics, storeGauges } from '../../src/metrics/index.js';
import { createEngine } from '../../src/ops/engine/index.js';
import { storeDialects } from '../support/backends.js';
import { parseExposition } from '../support/prometheus.js';
import { startBotHarness, startedRunId, USERS, type BotHarness } from '../bot/support/harness.js';
import { testRunbooks } from '../bot/support/runbooks.js';

/**
 * The gauges read from the store at each scrape, on SQLite and Postgres: runs by runbook and
 * status and the approvals still awaited per app, as runs are started and approved through the
 * bot. A second reader on the same store (another replica's connection and registry) answers the
 * same figures.
 */

const dialects = await storeDialects();
const APPS = ['acme-prod', 'acme-staging'];

describe.each(dialects)('store gauges (%s)', (dialect) => {
  let h: BotHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('counts runs by runbook and status, and the approvals they await, the same from two readers', async () => {
    h = await startBotHarness({ dialect });
    const harness = h;
    const here = createMetrics();
    storeGauges(here, { store: harness.store.store, runs: harness.engine, apps: () => APPS });
    // Another replica: its own connection to the store, its own engine (not driving) and registry.
    const other = await harness.store.reopen();
    const there = createMetrics();
    storeGauges(there, {
      store: other,
      runs: createEngine({ store: other, runbooks: testRunbooks(harness.connect), deps: { connect: harness.connect }, logger: createLogger({ level: 'silent' }) }),
      apps: () => APPS,
    });
    const scrape = async () => parseExposition(await here.scrape());

    const empty = await scrape();
    expect(empty.value('connect_ops_runs')).toBeUndefined();
    expect(empty.value('connect_ops_approvals_pending', { app: 'acme-prod' })).toBe(0);

    // An upgrade (two approvals) on acme-prod, a pause (one) on acme-staging.
    await harness.command(USERS.operator, 'upgrade acme-prod');
    const upgrade = startedRunId(await harness.ephemeral(USERS.operator, /Started .*upgrade acme-prod/));
    await harness.command(USERS.operator, 'pause acme-staging', 'C0STAGING00');
    await harness.ephemeral(USERS.operator, /Started .*pause acme-staging/);
    await harness.runIn(upgrade, ['awaiting_approval']);
    const pause = (await harness.runs('acme-staging'))[0]!;
    await harness.runIn(pause.id, ['awaiting_approval']);

    const waiting = await scrape();
    expect(waiting.value('connect_ops_runs', { runbook: 'upgrade', status: 'awaiting_approval' })).toBe(1);
    expect(waiting.value('connect_ops_runs', { runbook: 'pause', status: 'awaiting_approval' })).toBe(1);
    expect(waiting.value('connect_ops_approvals_pending', { app: 'acme-prod' })).toBe(2);
    expect(waiting.value('connect_ops_approvals_pending', { app: 'acme-staging' })).toBe(1);

    // One approval of the upgrade: one still awaited there.
    const { card } = await harness.messagesOf(upgrade);
    const open = await harness.workspace.waitFor(() => {
      const current = harness.workspace.message(card.channel, card.ts);
      return current && JSON.stringify(current.blocks).includes('"approve"') ? current : undefined;
    });
    expect((await harness.driver.click({ user: USERS.approver, message: open, actionId: 'approve' })).status).toBe(200);
    await harness.ephemeral(USERS.approver, /1 of 2/);
    const approved = await scrape();
    expect(approved.value('connect_ops_approvals_pending', { app: 'acme-prod' })).toBe(1);

    // The other reader sees exactly the same store figures.
    const seen = parseExposition(await there.scrape());
    for (const name of ['connect_ops_runs', 'connect_ops_approvals_pending']) {
      expect(seen.samples.filter((s) => s.name === name)).toEqual(approved.samples.filter((s) => s.name === name));
    }
  }, 30_000);
});
