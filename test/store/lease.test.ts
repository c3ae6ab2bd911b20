import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLease, LeaseTakenError } from '../../src/store/lease.js';
import { createTestStore, storeBackends, type TestStore } from '../support/backends.js';

const dialects = await storeBackends();

describe.each(dialects)('the engine lease on %s', (dialect) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await createTestStore(dialect);
  });
  afterAll(async () => {
    await t.dispose();
  });

  it('lets one process hold it; another is told who holds it and what to do', async () => {
    const other = await t.reopen();
    const first = createLease({ store: t.store, name: 'engine', owner: 'web.1' });
    const second = createLease({ store: other, name: 'engine', owner: 'web.2' });
    await first.acquire();
    const refused = await second.acquire().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LeaseTakenError);
    expect((refused as Error).message).toMatch(/Another connect-ops process \(web\.1\) is running the engine.*heroku ps:scale web=1/);
    await first.release();
    await second.acquire();
    await second.release();
  });

  it('gives up waiting when told to (the process is stopping), without taking it', async () => {
    const holder = createLease({ store: t.store, name: 'engine-abort', owner: 'web.1' });
    await holder.acquire();
    const waiting = createLease({ store: t.store, name: 'engine-abort', owner: 'web.2', ttlMs: 3_000 });
    const stop = new AbortController();
    const outcome = waiting.acquire(60_000, stop.signal).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 100));
    stop.abort(new Error('stopping'));
    expect(((await outcome) as Error).message).toBe('stopping');
    const row = await t.store.db.selectFrom('leases').selectAll().where('name', '=', 'engine-abort').executeTakeFirstOrThrow();
    expect(row.owner).toBe('web.1');
    await holder.release();
  });

  it('passes to a new process once a crashed holder lets it expire', async () => {
    let now = new Date('2026-11-21T12:00:00Z').getTime();
    const clock = () => new Date(now);
    const crashed = createLease({ store: t.store, name: 'engine-expiry', owner: 'web.1', ttlMs: 30_000, clock });
    await crashed.acquire(); // and never releases it
    const next = createLease({ store: t.store, name: 'engine-expiry', owner: 'web.1-restarted', ttlMs: 30_000, clock });
    await expect(next.acquire()).rejects.toBeInstanceOf(LeaseTakenError);
    now += 31_000;
    await next.acquire();
    await crashed.release(); // a late release of a lost lease leaves the new holder alone
    const row = await t.store.db.selectFrom('leases').selectAll().where('name', '=', 'engine-expiry').executeTakeFirstOrThrow();
    expect(row.owner).toBe('web.1-restarted');
    await next.release();
  });

  it('tells a stalled holder that its lease was taken over', async () => {
    let now = Date.now();
    const clock = () => new Date(now);
    let lostTo: string | undefined;
    const stalled = createLease({ store: t.store, name: 'engine-stall', owner: 'web.1', ttlMs: 300, clock, onLost: (holder) => (lostTo = holder) });
    await stalled.acquire();
    now += 1000; // web.1 stalled past its expiry...
    const taker = createLease({ store: t.store, name: 'engine-stall', owner: 'web.2', ttlMs: 60_000, clock });
    await taker.acquire(); // ...and web.2 took over
    const deadline = Date.now() + 3000;
    while (!lostTo && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(lostTo).toBe('web.2');
    await stalled.release();
    await taker.release();
  });
});
