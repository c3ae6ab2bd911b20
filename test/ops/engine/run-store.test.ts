import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { TableNode, type KyselyPlugin, type PluginTransformQueryArgs, type PluginTransformResultArgs, type QueryId, type RootOperationNode } from 'kysely';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '../../../src/ops/engine/run-store.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { createTestStore, postgresAvailable, type TestStore } from '../../support/backends.js';

const SECRET = 'hrku-0123456789abcdef';

const created = '2026-12-05T12:00:00.000Z';
const newRun = (id: string) => ({
  id, app: `app-${id}`, runbook: 'upgrade', params: { app: `app-${id}` }, status: 'pending' as const, requestedBy: 'U1', channel: 'C1',
  planHash: 'h1', notBefore: null, outputs: {}, createdAt: created, approvalsRequired: 1, approvalTimeoutMs: 60_000, rollbackOf: null,
});
const steps = [{ title: 'Approve', kind: 'approval' as const }, { title: 'Upgrade', kind: 'action' as const }, { title: 'Wait', kind: 'wait' as const }];

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

  it('shows a change in its copy only once the store holds it (committed), never from inside the transaction', async () => {
    const { sole } = await open();
    await sole.create(newRun('r5'), steps, { type: 'run.created', actor: 'U1' });
    await sole.load('r5');
    // What the run store serves at the last moment before the transaction commits.
    let beforeCommit: string | undefined;
    const transaction = store!.db.transaction.bind(store!.db);
    jest.spyOn(store!.db, 'transaction').mockImplementationOnce(() => {
      const builder = transaction();
      return Object.assign(Object.create(builder) as typeof builder, {
        execute: <T>(work: Parameters<typeof builder.execute<T>>[0]) =>
          builder.execute(async (trx) => {
            const result = await work(trx);
            beforeCommit = (await sole.load('r5'))!.run.status;
            return result;
          }),
      });
    });
    await sole.commit('r5', '2026-12-05T12:08:00.000Z', { run: { status: 'running' }, audit: [] });
    expect(beforeCommit).toBe('pending');
    expect((await sole.load('r5'))!.run.status).toBe('running');
  });

  it('drops its copies when another process writes to the SQLite file (one waiting for the engine lease records a cancel)', async () => {
    const { sole } = await open();
    const other = await openStore({ dataDir });
    try {
      await sole.create(newRun('r4'), steps, { type: 'run.created', actor: 'U1' });
      await sole.load('r4');
      // A write on this store's own connection that is not the RunStore's is not seen: the run is served from memory...
      await store!.db.updateTable('runs').set({ channel: 'C-same-connection' }).where('id', '=', 'r4').execute();
      expect((await sole.load('r4'))!.run.channel).toBe('C1');
      // ...but another process's commit is.
      await new RunStore(other).commit('r4', '2026-12-05T12:07:00.000Z', { run: { cancelRequest: { by: 'U5', reason: 'wrong app' } }, audit: [] });
      expect((await sole.load('r4'))!.run).toMatchObject({ channel: 'C-same-connection', cancelRequest: { by: 'U5', reason: 'wrong app' } });
      // Kept again from then on.
      await store!.db.updateTable('runs').set({ channel: 'C-again' }).where('id', '=', 'r4').execute();
      expect((await sole.load('r4'))!.run.channel).toBe('C-same-connection');
    } finally {
      await other.close();
    }
  });
});

/** Holds the next query of a kind on a table after it ran and before its rows reach the caller. */
class QueryGate implements KyselyPlugin {
  private readonly armed: Array<{ kind: RootOperationNode['kind']; table: string; held: Promise<void> }> = [];
  private readonly holding = new Map<QueryId, Promise<void>>();
  private readonly reached = new Map<Promise<void>, () => void>();

  /** Holds the next such query; `ran` resolves once it ran, `open()` lets it return. */
  hold(kind: RootOperationNode['kind'], table: string): { ran: Promise<void>; open: () => void } {
    let open!: () => void;
    let ran!: () => void;
    const held = new Promise<void>((resolve) => (open = resolve));
    const reached = new Promise<void>((resolve) => (ran = resolve));
    this.reached.set(held, ran);
    this.armed.push({ kind, table, held });
    return { ran: reached, open };
  }

  transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
    const i = this.armed.findIndex((a) => a.kind === node.kind && tableOf(node) === a.table);
    if (i !== -1) this.holding.set(queryId, this.armed.splice(i, 1)[0]!.held);
    return node;
  }

  async transformResult({ result, queryId }: PluginTransformResultArgs) {
    const held = this.holding.get(queryId);
    if (held) {
      this.reached.get(held)!();
      await held;
    }
    return result;
  }
}

function tableOf(node: RootOperationNode): string | undefined {
  const table = node.kind === 'SelectQueryNode' ? node.from?.froms[0] : node.kind === 'UpdateQueryNode' ? node.table : undefined;
  return table && TableNode.is(table) ? table.table.identifier.name : undefined;
}

const onPostgres = (await postgresAvailable()) ? describe : describe.skip;

onPostgres('the run store that makes every write, on Postgres (a read and a write on two connections)', () => {
  let t: TestStore | undefined;
  afterEach(async () => {
    await t?.dispose();
  });

  it('keeps no read that a write to the run overlapped, even one that began before the read (other runs’ writes in between)', async () => {
    t = await createTestStore('postgres');
    const gate = new QueryGate();
    const sole = new RunStore({ ...t.store, db: t.store.db.withPlugin(gate) }, undefined, { sole: true });
    await sole.create(newRun('ra'), steps, { type: 'run.created', actor: 'U1' });
    await sole.create(newRun('rb'), steps, { type: 'run.created', actor: 'U1' });
    // A write to ra has updated its row and not committed yet...
    const update = gate.hold('UpdateQueryNode', 'runs');
    const write = sole.commit('ra', '2026-12-05T12:01:00.000Z', { run: { status: 'running' }, audit: [] });
    await update.ran;
    // ...another run's write ends meanwhile...
    await sole.commit('rb', '2026-12-05T12:01:00.000Z', { run: { status: 'running' }, audit: [] });
    // ...and a read of ra reads its row before the write commits, and returns after it did.
    const select = gate.hold('SelectQueryNode', 'runs');
    const read = sole.load('ra');
    await select.ran;
    update.open();
    await write;
    select.open();
    expect((await read)!.run.status).toBe('pending');
    // That read was not kept: the run is served as written (a stale copy kept a finished run "running" for good).
    expect((await sole.load('ra'))!.run.status).toBe('running');
    expect(await sole.load('ra')).toEqual(await new RunStore(t.store).load('ra'));
  });
});
