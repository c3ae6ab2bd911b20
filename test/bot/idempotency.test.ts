import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { storeIdempotency } from '../../src/bot/idempotency.js';
import { createTestStore, storeDialects, type TestStore } from '../support/backends.js';

const dialects = await storeDialects();

describe.each(dialects)('idempotency keys (%s)', (dialect) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(dialect);
  });
  afterAll(() => store.dispose());

  it('claims a key once, across replicas sharing the store', async () => {
    const one = storeIdempotency(store.store);
    const other = storeIdempotency(await store.reopen());
    expect(await one.claim('command:trigger-1')).toBe(true);
    expect(await one.claim('command:trigger-1')).toBe(false);
    expect(await other.claim('command:trigger-1')).toBe(false);
    const together = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? one : other).claim('action:trigger-2')));
    expect(together.filter(Boolean)).toHaveLength(1);
  });

  it('forgets keys older than the retention', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const keys = storeIdempotency(store.store, { clock: () => now, retainMs: 60_000 });
    expect(await keys.claim('reply:r1:finished')).toBe(true);
    now = new Date(now.getTime() + 2 * 3_600_000);
    expect(await keys.claim('reply:r1:finished')).toBe(true);
  });
});
