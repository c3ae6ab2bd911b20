import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLimits, type Limits } from '../../../src/ops/limits.js';
import { ambientPriority } from '../../../src/ops/request-priority.js';
import type { Consumers } from '../../../src/ops/runbooks/outputs.js';
import { CONSUMERS_CHECK } from '../../../src/ops/runbooks/preflight.js';
import { action, check, runbook, runbookRegistry, type RunbookRegistry } from '../../../src/ops/runbooks/runbook.js';
import { z } from 'zod';
import { startBotHarness, USERS, type BotHarness } from '../support/harness.js';

/**
 * Issue 14, failure 1, for `/connect plan`: a cutover's preview reads every consumer of the database
 * from Heroku (reads/consumers.ts, about ten calls). Those calls are a read: they spend the reads'
 * share of the budget and never the reserve a run needs, and identical previews share one discovery.
 */

const consumers: Consumers = {
  database: { addonId: 'a1', addonName: 'postgresql-solid-16063' },
  attachments: [{ app: 'acme-prod', name: 'DATABASE', namespace: null }],
  dbKey: 'DATABASE_URL',
  followers: [],
  otherFollowers: 0,
  schedulers: [],
  oneOffDynos: [],
  formations: [{ app: 'acme-prod', processes: [{ type: 'web', quantity: 2 }] }],
  releasePhase: [],
};

// A cutover stand-in: its first check is the consumers check, so `/connect plan upgrade` discovers.
function cutoverRunbooks(): RunbookRegistry<unknown> {
  const upgrade = runbook<unknown, { app: string; version?: number }>({
    name: 'upgrade',
    summary: 'Upgrade Postgres (a stand-in with the cutover’s discovery)',
    params: z.object({ app: z.string(), version: z.coerce.number().int().optional() }),
    steps: () => [
      check(CONSUMERS_CHECK, async () => ({ ok: true }), { calls: ['GET /addons/{id}/addon-attachments'] }),
      action('Promote the new database', { do: async () => undefined, done: async () => true, calls: ['POST /addons/{id}/actions/promote'] }),
    ],
  });
  return runbookRegistry<unknown>(upgrade) as RunbookRegistry<unknown>;
}

describe('/connect plan: cutover discovery is a read (issue 14)', () => {
  const CALLS_PER_DISCOVERY = 8;
  let h: BotHarness;
  let limits: Limits;
  /** The priority each "Heroku" call of a discovery was made at (the ambient one: http.ts passes none). */
  const herokuCalls: (string | undefined)[] = [];
  let discoveries = 0;

  beforeAll(async () => {
    // 100 tokens; reads may spend 10 of them and never the last 50.
    limits = createLimits({ capacity: 100, refillPerMinute: 1, readShare: 0.1, readReserve: 0.5 });
    h = await startBotHarness({
      runbooks: { registry: cutoverRunbooks(), deps: {} },
      ports: {
        consumers: async () => {
          discoveries += 1;
          for (let i = 0; i < CALLS_PER_DISCOVERY; i++) await limits.heroku.schedule({}, async () => void herokuCalls.push(ambientPriority()));
          return { consumers };
        },
      },
    });
  });
  afterAll(async () => {
    await h.close();
    await limits.disconnect();
  });

  const cards = (user: string) => h.workspace.ephemerals({ user }).filter((e) => e.text === 'Plan: upgrade acme-prod');

  it('shares one discovery between identical plans asked at once, made at read priority', async () => {
    await Promise.all(Array.from({ length: 20 }, () => h.command(USERS.approver, 'plan upgrade acme-prod --version 17')));
    await h.workspace.waitFor(() => (cards(USERS.approver).length === 20 ? true : undefined));
    expect(discoveries).toBe(1);
    expect(herokuCalls).toEqual(Array.from({ length: CALLS_PER_DISCOVERY }, () => 'read'));
    expect(JSON.stringify(cards(USERS.approver)[0]?.blocks)).toContain('postgresql-solid-16063');
  });

  it('a storm of plans spends only the reads’ share: a run’s step still has the budget', async () => {
    // Bursts seconds apart, past the sharing: each burst discovers again.
    for (let burst = 0; burst < 5; burst++) {
      h.clock.advance(10_000);
      const before = cards(USERS.approver2).length;
      await Promise.all(Array.from({ length: 10 }, () => h.command(USERS.approver2, 'plan upgrade acme-prod')));
      await h.workspace.waitFor(() => (cards(USERS.approver2).length === before + 10 ? true : undefined));
    }
    // The reads' share is 10 calls: the first test's discovery took 8, the next took the last 2 and was refused.
    expect(herokuCalls).toHaveLength(10);
    const told = cards(USERS.approver2).map((c) => JSON.stringify(c.blocks));
    expect(told.some((t) => t.includes('could not be read (Not asked: reads have spent their share of the Heroku API budget'))).toBe(true);
    // A run's step is sent at once, and the bucket has kept far more than the reserve.
    await expect(limits.heroku.schedule({}, async () => 'step sent')).resolves.toBe('step sent');
    expect(await limits.herokuRemaining()).toBe(100 - 10 - 1);
    expect((await limits.stats()).readsShed.read_share_spent).toBeGreaterThanOrEqual(3);
  });
});
