import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '../../../src/ops/engine/run-store.js';
import { openStore, type Store } from '../../../src/store/index.js';

const SECRET = 'hrku-0123456789abcdef';

describe('the run store that makes every write (one process)', () => {
  let store: Store | undefined;
  let dataDir = '';
  afterEach(async () => {
    await store?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const open = async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'connect-ops-run-store-'));
    store = await openStore({ dataDir, redact: (text) => text.replaceAll(SECRET, '[REDACTED]') });
    return { sole: new RunStore(store, undefined, { sole: true }), fromRows: new RunStore(store) };
  };
  const created = '2026-12-05T12:00:00.000Z';
  const newRun = (id: string) => ({
    id, app: `app-${id}`, runbook: 'upgrade', params: { app: `app-${id}` }, status: 'pending' as const, requestedBy: 'U1', channel: 'C1',
    planHash: 'h1', notBefore: null, outputs: {}, createdAt: created, approvalsRequired: 1, approvalTimeoutMs: 60_000, rollbackOf: null,
  });
  const steps = [{ title: 'Approve', kind: 'approval' as const }, { title: 'Upgrade', kind: 'action' as const }, { title: 'Wait', kind: 'wait' as const }];

  it('serves each run as reading its rows back would give it, secrets redacted, after every kind of write', async () => {
    const { sole, fromRows } = await open();
    await sole.create(newRun('r1'), steps, { type: 'run.created', actor: 'U1' });
    expect(await sole.load('r1')).toEqual(await fromRows.load('r1'));
    await sole.commit('r1', '2026-12-05T12:01:00.000Z', {
      run: { status: 'running', outputs: { token: SECRET, n: 1, nested: { at: undefined, list: [1, 'x'] } } },
      step: { idx: 1, set: { status: 'running', attempts: 1, startedAt: created, nextPollAt: null, input: { key: SECRET } } },
      audit: [{ type: 'step.started', actor: 'engine', stepIdx: 1 }],
    });
    await sole.record('r1', 1, { token: SECRET, addon: 'postgresql-1' }, { addon: `postgresql-1 ${SECRET}` });
    await sole.decide('r1', { stepIdx: 0, userId: 'U2', decision: 'approve', planHash: 'h1', at: created }, { type: 'approval.recorded', actor: 'U2' });
    await sole.decide('r1', { stepIdx: 0, userId: 'U3', decision: 'reject', planHash: 'h0', at: created }, { type: 'approval.recorded', actor: 'U3' });
    // The same decision again changes nothing; one on a newer plan replaces it in place.
    await sole.decide('r1', { stepIdx: 0, userId: 'U2', decision: 'approve', planHash: 'h1', at: '2026-12-05T12:09:00.000Z' }, { type: 'approval.recorded', actor: 'U2' });
    await sole.decide('r1', { stepIdx: 0, userId: 'U3', decision: 'approve', planHash: 'h1', at: '2026-12-05T12:10:00.000Z' }, { type: 'approval.recorded', actor: 'U3' });
    await sole.commit('r1', '2026-12-05T12:02:00.000Z', {
      run: { error: { code: 'heroku_error', step: 2, stepTitle: 'Wait', message: `bad token ${SECRET}`, next: 'retry' }, cancelRequest: { by: 'U4', reason: SECRET } },
      step: { idx: 2, set: { status: 'waiting', progress: `3/7 ${SECRET}`, pollIntervalMs: 1500.5, error: null, skipReason: null } },
      audit: [],
    });
    const kept = await sole.load('r1');
    expect(kept).toEqual(await fromRows.load('r1'));
    expect(JSON.stringify(kept)).not.toContain(SECRET);
    expect(kept!.approvals.map((a) => [a.userId, a.decision, a.planHash])).toEqual([['U2', 'approve', 'h1'], ['U3', 'approve', 'h1']]);
  });

  it('reads a run from the store again once it finished, and after a failed write', async () => {
    const { sole } = await open();
    await sole.create(newRun('r2'), steps, { type: 'run.created', actor: 'U1' });
    await sole.load('r2');
    await sole.commit('r2', '2026-12-05T12:05:00.000Z', { run: { status: 'succeeded', finishedAt: '2026-12-05T12:05:00.000Z' }, audit: [], releaseLock: true });
    await store!.db.updateTable('runs').set({ channel: 'C-after' }).where('id', '=', 'r2').execute();
    expect((await sole.load('r2'))!.run.channel).toBe('C-after');

    await sole.create(newRun('r3'), steps, { type: 'run.created', actor: 'U1' });
    await sole.load('r3');
    // The store fails the write (a full disk, say): the run's copy goes with it.
    jest.spyOn(store!.db, 'transaction').mockImplementationOnce(() => {
      throw new Error('SQLITE_FULL: database or disk is full');
    });
    await expect(sole.commit('r3', '2026-12-05T12:06:00.000Z', { run: { status: 'running' }, audit: [] })).rejects.toThrow('SQLITE_FULL');
    await store!.db.updateTable('runs').set({ channel: 'C-out-of-band' }).where('id', '=', 'r3').execute();
    expect((await sole.load('r3'))!.run.channel).toBe('C-out-of-band');
  });
});
