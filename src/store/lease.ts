import { setTimeout as sleep } from 'node:timers/promises';
import type { Store } from './index.js';

/**
 * A lease on a named role (the engine) that one process holds at a time, through the store every
 * replica shares. The holder renews it; a holder that died without releasing it loses it when it
 * expires, so a crashed bot's replacement takes over within one TTL.
 */

export interface LeaseOptions {
  store: Store;
  name: string;
  /** Who we are, e.g. `web.1 (pid 4242)`: shown to a process that finds the lease taken. */
  owner: string;
  ttlMs?: number;
  clock?: () => Date;
  /** Called when a renewal finds the lease taken by another process (we were stalled past its expiry). */
  onLost?: (holder: string) => void;
}

export interface Lease {
  /**
   * Takes the lease, waiting up to `waitMs` for a holder to release it or let it expire; `signal`
   * gives up the wait (the process is stopping), with the signal's reason.
   */
  acquire(waitMs?: number, signal?: AbortSignal): Promise<void>;
  release(): Promise<void>;
}

export class LeaseTakenError extends Error {
  constructor(
    readonly lease: string,
    readonly holder: string,
    readonly expiresAt: string,
  ) {
    super(
      `Another connect-ops process (${holder}) is running the ${lease} on this database, until ${expiresAt} unless it renews. ` +
        'Only one process may run it: stop the other one, or run a single bot process (heroku ps:scale web=1).',
    );
    this.name = 'LeaseTakenError';
  }
}

const DEFAULT_TTL_MS = 30_000;

export function createLease(options: LeaseOptions): Lease {
  const { store, name, owner } = options;
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  const clock = options.clock ?? (() => new Date());
  let renewal: NodeJS.Timeout | undefined;

  /** One conditional write: insert, or take over a lease that is ours or expired. True when we hold it. */
  const claim = async (): Promise<boolean> => {
    const now = clock();
    const row = { name, owner, acquired_at: now.toISOString(), expires_at: new Date(now.getTime() + ttlMs).toISOString() };
    const result = await store.db
      .insertInto('leases')
      .values(row)
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet({ owner: row.owner, acquired_at: row.acquired_at, expires_at: row.expires_at })
          .where((eb) => eb.or([eb('leases.owner', '=', owner), eb('leases.expires_at', '<', now.toISOString())])),
      )
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  };

  return {
    async acquire(waitMs = 0, signal) {
      const deadline = clock().getTime() + waitMs;
      for (;;) {
        signal?.throwIfAborted();
        if (await claim()) break;
        const holder = await store.db.selectFrom('leases').selectAll().where('name', '=', name).executeTakeFirst();
        if (clock().getTime() >= deadline) throw new LeaseTakenError(name, holder?.owner ?? 'unknown', holder?.expires_at ?? 'unknown');
        await sleep(Math.min(1000, ttlMs / 3), undefined, { signal }).catch(() => undefined);
      }
      renewal = setInterval(() => {
        claim().then(
          async (held) => {
            if (held || !renewal) return;
            clearInterval(renewal);
            renewal = undefined;
            const holder = await store.db.selectFrom('leases').select('owner').where('name', '=', name).executeTakeFirst();
            options.onLost?.(holder?.owner ?? 'unknown');
          },
          () => undefined, // the store did not answer: the next tick, well before expiry, tries again
        );
      }, ttlMs / 3);
      renewal.unref();
    },
    async release() {
      clearInterval(renewal);
      renewal = undefined;
      await store.db.deleteFrom('leases').where('name', '=', name).where('owner', '=', owner).execute();
    },
  };
}
