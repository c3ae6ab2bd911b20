import type { Store } from '../store/index.js';

/**
 * Slack redelivers a request it thinks was not acknowledged (`X-Slack-Retry-Num`), and the same
 * thread reply may be asked for again after a restart. A key (the request's trigger_id, a
 * reply's run and event) is claimed once in the store, so every replica sees the same answer.
 */
export interface Idempotency {
  /** True the first time a key is claimed, false ever after (within the retention). */
  claim(key: string): Promise<boolean>;
}

export interface IdempotencyOptions {
  clock?: () => Date;
  /** How long claimed keys are kept; Slack retries within minutes. */
  retainMs?: number;
}

const DEFAULT_RETAIN_MS = 7 * 24 * 3600_000;
const PRUNE_EVERY_MS = 3600_000;

export function storeIdempotency(store: Store, options: IdempotencyOptions = {}): Idempotency {
  const clock = options.clock ?? (() => new Date());
  const retainMs = options.retainMs ?? DEFAULT_RETAIN_MS;
  let prunedAt = 0;
  return {
    async claim(key) {
      const now = clock();
      if (now.getTime() - prunedAt > PRUNE_EVERY_MS) {
        prunedAt = now.getTime();
        await store.db.deleteFrom('idempotency_keys').where('created_at', '<', new Date(now.getTime() - retainMs).toISOString()).execute();
      }
      const result = await store.db
        .insertInto('idempotency_keys')
        .values({ key, created_at: now.toISOString() })
        .onConflict((oc) => oc.column('key').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
  };
}
