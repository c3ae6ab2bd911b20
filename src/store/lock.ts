import pg from 'pg';
import type { Store } from './index.js';

/**
 * Named locks across every process on the store: Postgres advisory locks, held by one connection
 * of the process's own, outside the store's pool. A task holding a lock usually needs the store
 * (and may wait a while, e.g. for Slack's budget), so a lock that held a pooled connection would
 * starve the pool, and a waiter that held one while the holder needed one could deadlock it.
 * Waiters ask with `pg_try_advisory_lock` and sleep between asks, so waiting holds nothing. The
 * embedded store belongs to one process, where the in-process queue per name is the whole lock.
 */

export interface StoreLocks {
  /** Runs `task` while no other task, in this process or another, holds `key`. */
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface StoreLocksOptions {
  /** How long a waiter sleeps before asking again; default 100 ms. */
  retryMs?: number;
}

export function storeLocks(store: Store, options: StoreLocksOptions = {}): StoreLocks {
  const retryMs = options.retryMs ?? 100;
  // A session's advisory locks are re-entrant: tasks of this process take turns per key first.
  const local = new Map<string, Promise<unknown>>();
  let session: Promise<pg.Client> | undefined;
  let closed = false;

  const connect = (): Promise<pg.Client> => {
    session ??= (async () => {
      const client = new pg.Client(store.pool!.options);
      // A broken session has lost its locks with it; the next task opens a new one.
      client.on('error', () => (session = undefined));
      client.on('end', () => (session = undefined));
      await client.connect();
      return client;
    })().catch((error: unknown) => {
      session = undefined;
      throw error;
    });
    return session;
  };

  const acrossProcesses = async <T>(key: string, task: () => Promise<T>): Promise<T> => {
    for (;;) {
      if (closed) throw new Error('the store locks are closed');
      const client = await connect();
      const { rows } = await client.query<{ locked: boolean }>('select pg_try_advisory_lock(hashtext($1)) as locked', [key]);
      if (!rows[0]?.locked) {
        await new Promise((resolve) => setTimeout(resolve, retryMs));
        continue;
      }
      try {
        return await task();
      } finally {
        await client.query('select pg_advisory_unlock(hashtext($1))', [key]).catch(() => undefined);
      }
    }
  };

  return {
    run<T>(key: string, task: () => Promise<T>): Promise<T> {
      const previous = local.get(key) ?? Promise.resolve();
      const result = previous.catch(() => undefined).then(() => (store.pool ? acrossProcesses(key, task) : task()));
      const settled = result.catch(() => undefined);
      local.set(key, settled);
      void settled.then(() => {
        if (local.get(key) === settled) local.delete(key);
      });
      return result;
    },
    async close() {
      closed = true;
      const open = session;
      session = undefined;
      if (open) await (await open.catch(() => undefined))?.end().catch(() => undefined);
    },
  };
}
