import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import { storeLocks, type StoreLocks } from '../../src/store/lock.js';
import type { Store } from '../../src/store/index.js';
import { createTestStore, storeBackends, type TestStore } from '../support/backends.js';

/**
 * The lock replicas take before editing a run's Slack messages: two processes' locks on one
 * Postgres (each with its own store pool), a holder that needs the store while many wait, and a
 * holder whose session dies (a SIGKILLed process) releasing its lock.
 */

// Postgres only (advisory locks); over TLS too, where the lock session opens a client of its own.
const backends = (await storeBackends()).filter((b) => b !== 'sqlite');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

(backends.length > 0 ? describe : describe.skip).each(backends.length > 0 ? backends : (['postgres'] as const))('store locks across processes on %s', (backend) => {
  let t: TestStore;
  const stores: Store[] = [];
  const locks: StoreLocks[] = [];

  beforeAll(async () => {
    t = await createTestStore(backend);
  });
  afterAll(async () => {
    for (const l of locks) await l.close();
    for (const s of stores) await s.close();
    await t.dispose();
  });

  async function processLocks(): Promise<{ store: Store; locks: StoreLocks }> {
    const store = await t.reopen();
    stores.push(store);
    const l = storeLocks(store, { retryMs: 20 });
    locks.push(l);
    return { store, locks: l };
  }

  it('lets one task at a time hold a key across processes, and other keys run meanwhile', async () => {
    const a = await processLocks();
    const b = await processLocks();
    const log: string[] = [];
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const first = a.locks.run('run-1', async () => {
      log.push('a:start');
      await held;
      log.push('a:end');
    });
    while (!log.includes('a:start')) await sleep(10);
    const second = b.locks.run('run-1', async () => void log.push('b:run-1'));
    await b.locks.run('run-2', async () => void log.push('b:run-2'));
    await sleep(200);
    expect(log).toEqual(['a:start', 'b:run-2']);
    release();
    await Promise.all([first, second]);
    expect(log).toEqual(['a:start', 'b:run-2', 'a:end', 'b:run-1']);
  }, 20_000);

  it('holds no pooled connection while waiting, so a holder that needs the store is never starved', async () => {
    const a = await processLocks();
    const b = await processLocks();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let started = false;
    const holder = a.locks.run('busy-run', async () => {
      started = true;
      await held;
      // The holder reads the store of a process whose tasks all wait for this key.
      return (await sql<{ n: number }>`select 1 as n`.execute(b.store.db)).rows[0]!.n;
    });
    while (!started) await sleep(10);
    // More waiters than the pool has connections (10), on the same process.
    const waiters = Array.from({ length: 15 }, (_, i) => b.locks.run('busy-run', async () => i));
    await sleep(200);
    release();
    expect(await holder).toBe(1);
    expect(await Promise.all(waiters)).toEqual(Array.from({ length: 15 }, (_, i) => i));
  }, 20_000);

  it('releases a lock when its process dies: its session ends with it', async () => {
    const a = await processLocks();
    const b = await processLocks();
    let started = false;
    void a.locks.run('orphaned-run', async () => {
      started = true;
      await new Promise(() => undefined);
    });
    while (!started) await sleep(10);
    // The dead process's session is gone, as after SIGKILL (the task itself never ends).
    await a.locks.close();
    await expect(b.locks.run('orphaned-run', async () => 'taken')).resolves.toBe('taken');
  }, 20_000);

  it('serializes tasks on the embedded store, which is one process', async () => {
    const local = await createTestStore('sqlite');
    const l = storeLocks(local.store);
    const log: string[] = [];
    await Promise.all([1, 2, 3].map((n) => l.run('k', async () => {
      log.push(`start ${n}`);
      await sleep(20);
      log.push(`end ${n}`);
    })));
    expect(log).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
    await l.close();
    await local.dispose();
  });
});
