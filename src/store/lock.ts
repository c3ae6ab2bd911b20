import type { Store } from './index.js';

/**
 * Runs `task` holding a lock named `key` across every process on the store: a Postgres advisory
 * lock held by a transaction for the task's length. The embedded store belongs to one process,
 * which serializes its own work, so there it simply runs the task.
 */
export async function withStoreLock<T>(store: Store, key: string, task: () => Promise<T>): Promise<T> {
  if (!store.pool) return task();
  const client = await store.pool.connect();
  try {
    await client.query('begin');
    await client.query('select pg_advisory_xact_lock(hashtext($1))', [key]);
    const result = await task();
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
