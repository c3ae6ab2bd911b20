import type { Store } from '../store/index.js';
import type { MaintenanceNotice } from './notice.js';
import type { MessageRef } from './notifier.js';

/**
 * What the watcher remembers, so a restart or a second replica never repeats an announcement: each
 * notice with its latest update key, the ids the sources know it by, its root message per channel,
 * and every message claimed (insert-to-claim: a replica whose insert finds the row posts nothing).
 */

export interface StoredNotice {
  notice: MaintenanceNotice;
  updateKey: string;
}

const rootKey = (noticeId: string, channel: string) => `notice:${noticeId}:${channel}`;

export class NoticeRepository {
  constructor(private readonly store: Store) {}

  /** The stored notice any of these source ids belongs to. */
  async find(sourceIds: readonly string[]): Promise<StoredNotice | undefined> {
    const row = await this.store.db
      .selectFrom('maintenance_notice_sources as s')
      .innerJoin('maintenance_notices as n', 'n.id', 's.notice_id')
      .select(['n.data', 'n.latest_update_key'])
      .where('s.source_id', 'in', [...sourceIds])
      .executeTakeFirst();
    return row && { notice: JSON.parse(row.data) as MaintenanceNotice, updateKey: row.latest_update_key };
  }

  /** Saves the notice as last seen and every source id it is known by. */
  async save(notice: MaintenanceNotice, updateKey: string, sourceIds: readonly string[], now: Date): Promise<void> {
    const at = now.toISOString();
    const columns = {
      source: notice.source,
      title: notice.title,
      state: notice.state,
      starts_at: notice.start,
      ends_at: notice.end,
      regions: JSON.stringify(notice.regions),
      confidence: notice.confidence,
      latest_update_key: updateKey,
      data: JSON.stringify(notice),
      updated_at: at,
    };
    await this.store.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('maintenance_notices')
        .values({ id: notice.id, ...columns, first_seen_at: at })
        .onConflict((oc) => oc.column('id').doUpdateSet(columns))
        .execute();
      await tx
        .insertInto('maintenance_notice_sources')
        .values(sourceIds.map((source_id) => ({ source_id, notice_id: notice.id })))
        .onConflict((oc) => oc.column('source_id').doNothing())
        .execute();
    });
  }

  /**
   * Claims a message (`announce`, a reminder key, a change key) for a notice in a channel.
   * True for exactly one caller, whichever replica it is in.
   */
  async claim(noticeId: string, channel: string, reminder: string, now: Date): Promise<boolean> {
    const result = await this.store.db
      .insertInto('reminders_sent')
      .values({ notice_id: noticeId, channel, reminder, sent_at: now.toISOString() })
      .onConflict((oc) => oc.columns(['notice_id', 'channel', 'reminder']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Gives a claim back after the message could not be posted, so the next poll tries again. */
  async release(noticeId: string, channel: string, reminder: string): Promise<void> {
    await this.store.db
      .deleteFrom('reminders_sent')
      .where('notice_id', '=', noticeId)
      .where('channel', '=', channel)
      .where('reminder', '=', reminder)
      .execute();
  }

  async rootMessage(noticeId: string, channel: string): Promise<MessageRef | undefined> {
    const row = await this.store.db
      .selectFrom('slack_messages')
      .select(['channel', 'ts'])
      .where('key', '=', rootKey(noticeId, channel))
      .executeTakeFirst();
    return row;
  }

  async saveRootMessage(noticeId: string, ref: MessageRef, now: Date): Promise<void> {
    await this.store.db
      .insertInto('slack_messages')
      .values({ key: rootKey(noticeId, ref.channel), channel: ref.channel, ts: ref.ts, thread_ts: null, updated_at: now.toISOString() })
      .onConflict((oc) => oc.column('key').doUpdateSet({ ts: ref.ts, updated_at: now.toISOString() }))
      .execute();
  }
}
