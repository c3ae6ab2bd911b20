import { sql } from 'kysely';
import PgBoss from 'pg-boss';
import type pg from 'pg';
import type { Logger } from '../log.js';
import type { Store } from '../store/index.js';

/**
 * The Postgres job queue (pg-boss 10) that replicas share: run wake-ups (./run-driver.ts) and
 * periodic tasks (./periodic.ts). It lives in a schema of its own beside the store's tables and
 * works through the store's connection pool, so it needs nothing but the bot's Heroku Postgres.
 */

export interface JobQueue {
  boss: PgBoss;
  schema: string;
  /** Runs SQL on the pool, or in a transaction's client. */
  query: (text: string, values?: unknown[]) => Promise<{ rows: Array<Record<string, unknown>>; rowCount: number | null }>;
  /** Runs `work` in one transaction; `query` inside it uses the transaction's client. */
  transaction<T>(work: (query: JobQueue['query']) => Promise<T>): Promise<T>;
  stop(timeoutMs?: number): Promise<void>;
}

export interface JobQueueOptions {
  store: Store;
  logger: Logger;
  /** pg-boss's schema; by default `connect_ops_queue`, or `<store schema>_queue` beside a store outside `public`. */
  schema?: string;
  /** How often pg-boss expires jobs whose process died (and archives old ones); default 2 s, once across replicas. */
  maintenanceIntervalSeconds?: number;
}

/** The schema pg-boss keeps its tables in: next to the store's, and never the store's own. */
export async function queueSchemaFor(store: Store): Promise<string> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db);
  const schema = rows[0]?.schema ?? 'public';
  return schema === 'public' ? 'connect_ops_queue' : `${schema}_queue`.slice(0, 50);
}

export async function startJobQueue(options: JobQueueOptions): Promise<JobQueue> {
  const pool = options.store.pool;
  if (!pool) throw new Error('the job queue needs the Postgres store (DATABASE_URL)');
  const schema = options.schema ?? (await queueSchemaFor(options.store));
  const query: JobQueue['query'] = async (text, values) => {
    const result = await pool.query(text, values);
    return { rows: result.rows as Array<Record<string, unknown>>, rowCount: result.rowCount };
  };
  const boss = new PgBoss({
    db: { executeSql: query },
    schema,
    // Expired jobs (a process died mid-pass) go back to the queue within seconds of their expiry:
    // this interval adds to every takeover. One replica runs each round (pg-boss's maintained_on).
    maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 2,
    // Cron schedules are evaluated this often; a tick is sent once however many replicas look.
    cronMonitorIntervalSeconds: 10,
  });
  boss.on('error', (error) => options.logger.error({ err: error }, 'job queue background error'));
  await retryOnDeadlock(() => boss.start());
  return {
    boss,
    schema,
    query,
    transaction: (work) => inTransaction(pool, work),
    async stop(timeoutMs = 10_000) {
      // The pool is the store's: closing it is the store's business.
      await boss.stop({ graceful: true, wait: true, close: false, timeout: Math.max(timeoutMs, 1) });
    },
  };
}

/**
 * Runs a setup step of the queue (its schema, a queue's partition, a schedule), again if Postgres
 * chose it as a deadlock victim: replicas starting together create the same objects at once.
 */
export async function retryOnDeadlock<T>(step: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      const code = (error as { code?: string }).code;
      if ((code !== '40P01' && code !== '40001') || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt + Math.random() * 200));
    }
  }
}

async function inTransaction<T>(pool: pg.Pool, work: (query: JobQueue['query']) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const result = await work(async (text, values) => {
      const answer = await client.query(text, values);
      return { rows: answer.rows as Array<Record<string, unknown>>, rowCount: answer.rowCount };
    });
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
