import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestStore, storeBackends, type TestStore } from '../support/backends.js';

// better-sqlite3's errors may come from another realm than jest's, so match the message, not the class.
const uniqueViolation = expect.objectContaining({ message: expect.stringMatching(/unique|duplicate/i) });

const dialects = await storeBackends();

describe.each(dialects)('store on %s', (dialect) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await createTestStore(dialect);
  });
  afterAll(async () => {
    await t.dispose();
  });

  const now = new Date().toISOString();
  const run = {
    id: 'run-1', app: 'acme-prod', runbook: 'upgrade', params: '{}', status: 'planned', requested_by: 'U01',
    channel: 'C01', plan_hash: 'abc', not_before: null, outputs: '{}', error: null,
    created_at: now, updated_at: now, finished_at: null,
    approvals_required: 2, approval_timeout_ms: 14_400_000, cancel_request: null, maintenance_override_by: null, held_for: null, rollback_of: null,
  };

  it('migrates and keeps rows across a reopen, as after a restart', async () => {
    await t.store.db.insertInto('runs').values(run).execute();
    const again = await t.reopen();
    const row = await again.db.selectFrom('runs').selectAll().where('id', '=', 'run-1').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ app: 'acme-prod', runbook: 'upgrade', status: 'planned' });
  });

  it('numbers audit events itself', async () => {
    const ids = [];
    for (const type of ['run.created', 'step.started']) {
      const r = await t.store.db
        .insertInto('audit_events')
        .values({ run_id: 'run-1', at: now, actor: 'U01', type, detail: '{}' })
        .returning('id')
        .executeTakeFirstOrThrow();
      ids.push(Number(r.id));
    }
    expect(ids[1]).toBeGreaterThan(ids[0]!);
  });

  it('counts one decision per approver per approval step', async () => {
    const approval = { run_id: 'run-1', step_idx: 3, user_id: 'U02', decision: 'approve', plan_hash: 'abc', created_at: now };
    await t.store.db.insertInto('approvals').values(approval).execute();
    await expect(t.store.db.insertInto('approvals').values(approval).execute()).rejects.toEqual(uniqueViolation);
  });

  it('lets only one holder claim an app lock', async () => {
    await t.store.db.insertInto('app_locks').values({ app: 'acme-prod', run_id: 'run-1', acquired_at: now }).execute();
    await expect(
      t.store.db.insertInto('app_locks').values({ app: 'acme-prod', run_id: 'run-2', acquired_at: now }).execute(),
    ).rejects.toEqual(uniqueViolation);
  });

  it('posts a reminder once, even when two watchers claim it', async () => {
    const claim = { notice_id: 'heroku:2959', channel: 'C09', reminder: '1h', sent_at: now };
    const results = await Promise.allSettled([
      t.store.db.insertInto('reminders_sent').values(claim).execute(),
      t.store.db.insertInto('reminders_sent').values(claim).execute(),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });
});
