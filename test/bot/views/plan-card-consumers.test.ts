import { describe, expect, it } from '@jest/globals';
import { planCard } from '../../../src/bot/views/plan-card.js';
import { planRunbook } from '../../../src/ops/engine/index.js';
import { runbooks } from '../../../src/ops/runbooks/index.js';
import type { Consumers } from '../../../src/ops/runbooks/outputs.js';
import type { RunView } from '../../../src/ops/engine/types.js';

const consumers: Consumers = {
  database: { addonId: 'a1', addonName: 'postgresql-solid-16063' },
  attachments: [
    { app: 'hooli-prod', name: 'DATABASE', namespace: null },
    { app: 'hooli-prod', name: 'DATABASE_CONNECTION_POOL', namespace: 'connection-pooling:default' },
    { app: 'hooli-reports', name: 'HOOLI_DB', namespace: null },
  ],
  dbKey: 'HEROKU_POSTGRESQL_CHARCOAL_URL',
  followers: [{ addonName: 'postgresql-clean-79039', app: 'hooli-prod' }],
  otherFollowers: 1,
  schedulers: [{ app: 'hooli-prod', addonName: 'scheduler-rigid-27178' }],
  oneOffDynos: [{ app: 'hooli-reports', name: 'run.1042', type: 'run', command: 'bin/rails console' }],
  formations: [
    { app: 'hooli-prod', processes: [{ type: 'web', quantity: 2 }, { type: 'worker', quantity: 1 }] },
    { app: 'hooli-reports', processes: [{ type: 'worker', quantity: 0 }] },
  ],
  releasePhase: ['hooli-prod'],
};

const text = (card: ReturnType<typeof planCard>) => JSON.stringify(card.blocks);

describe('plan card: who uses the database', () => {
  const plan = planRunbook(runbooks, 'upgrade-via-follower', { version: 17 }, 'hooli-prod');
  const base = { plan, approvers: '<@U1>', approvalsRequired: 1, approvalTimeoutMs: 3_600_000 };

  it('lists the discovered consumers and the assumption on a preview, and what the run will refuse', () => {
    const card = text(planCard({ ...base, startWith: '/connect upgrade hooli-prod --version 17 --via follower', consumers: { consumers, refusal: { reason: 'It is also attached to hooli-reports.', next: 'Add it to the policy.' } } }));
    expect(card).toContain('*Who uses the database:*');
    expect(card).toContain('Names on hooli-prod: `DATABASE_URL`, `DATABASE_CONNECTION_POOL_URL (connection-pooling:default)`');
    expect(card).toContain('Names on hooli-reports: `HOOLI_DB_URL`');
    expect(card).toContain("Heroku Connect's db_key: `HEROKU_POSTGRESQL_CHARCOAL_URL`");
    expect(card).toContain('Processes of hooli-reports: none running');
    expect(card).toContain('Followers: postgresql-clean-79039 (hooli-prod), 1 on apps not listed');
    expect(card).toContain('Heroku Scheduler on hooli-prod (scheduler-rigid-27178)');
    expect(card).toContain('One-off dyno `run.1042` on hooli-reports running `bin/rails console`');
    expect(card).toContain('Release phase on hooli-prod');
    expect(card).toContain('Assumption: Every name that points at the old database');
    expect(card).toContain(':no_entry: *The run will refuse:* It is also attached to hooli-reports. Add it to the policy.');
  });

  it('says who stops writing and which writers each proof covers', () => {
    const card = text(planCard({ ...base, consumers: { consumers } }));
    expect(card).toContain('*Who stops writing, and the proof:*');
    expect(card).toContain('Writes stop on: hooli-prod (maintenance mode, worker=1 scaled to 0), hooli-reports (maintenance mode); one-off dynos (run.1042 on hooli-reports, and any started since) stopped after approval; Heroku Scheduler jobs on hooli-prod disabled by hand');
    expect(card).toContain('Proof: the follower 0 commits behind covers hooli-prod processes, hooli-reports processes, one-off dynos, Heroku Scheduler jobs on hooli-prod, and any writer the APIs do not show.');
    // Without a follower, the proof is what the platform shows, and it says what that misses.
    const copy = text(planCard({ ...base, plan: planRunbook(runbooks, 'copy', { plan: 'standard-2' }, 'hooli-prod'), consumers: { consumers } }));
    expect(copy).toContain('Proof: before and after the change, the platform shows hooli-prod, hooli-reports in maintenance mode, non-web dynos at 0 and no one-off dyno');
    expect(copy).toContain('not Scheduler jobs between them (disabled by hand) nor writers the APIs do not show');
    expect(copy).not.toContain('follower 0 commits behind');
  });

  it("reads a run's recorded consumers, says when discovery failed, and shows nothing without it", () => {
    const run = { outputs: { consumers }, status: 'awaiting_approval', approvals: [], steps: [], id: 'r1', requestedBy: 'U0', planHash: 'h'.repeat(64) } as unknown as RunView;
    expect(() => text(planCard({ ...base, run }))).not.toThrow();
    expect(text(planCard({ ...base, run }))).toContain('Names on hooli-reports: `HOOLI_DB_URL`');
    expect(text(planCard({ ...base, consumers: { error: 'Heroku answered 503' } }))).toContain('could not be read (Heroku answered 503)');
    expect(text(planCard(base))).not.toContain('Who uses the database');
  });
});
