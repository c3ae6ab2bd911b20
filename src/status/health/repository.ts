import { randomUUID } from 'node:crypto';
import type { Store } from '../../store/index.js';
import type { MessageRef } from '../notifier.js';
import type { Finding, Incident } from './incident.js';
import type { HealthKind } from './kinds.js';
import type { HealthMarks } from './news.js';

/**
 * What the health watcher remembers: every incident from first sight (`pending`, under its
 * threshold) to `open` (told once) to `resolved`, with its Slack message and what that message
 * last showed. Opening and resolving are conditional updates: exactly one caller wins each, in
 * whichever replica it runs, and only the winner speaks.
 */

export interface IncidentRow {
  id: string;
  app: string;
  kind: HealthKind;
  subject: string;
  status: 'pending' | 'open' | 'resolved';
  firstSeenAt: string;
  /** Ticks that saw it while pending. */
  looks: number;
  openedAt: string | null;
  resolvedAt: string | null;
  finding: Finding;
  shown: string | null;
  message: MessageRef | null;
}

type Row = {
  id: string;
  app: string;
  kind: string;
  subject: string;
  status: string;
  first_seen_at: string;
  looks: number;
  opened_at: string | null;
  resolved_at: string | null;
  data: string;
  shown: string | null;
  channel: string | null;
  ts: string | null;
};

function fromRow(row: Row): IncidentRow {
  return {
    id: row.id,
    app: row.app,
    kind: row.kind as HealthKind,
    subject: row.subject,
    status: row.status as IncidentRow['status'],
    firstSeenAt: row.first_seen_at,
    looks: row.looks,
    openedAt: row.opened_at,
    resolvedAt: row.resolved_at,
    finding: JSON.parse(row.data) as Finding,
    shown: row.shown,
    message: row.channel && row.ts ? { channel: row.channel, ts: row.ts } : null,
  };
}

/** The incident as the bot shows it. */
export function incidentOf(row: IncidentRow): Incident {
  return {
    ...row.finding,
    id: row.id,
    app: row.app,
    status: row.status === 'resolved' ? 'resolved' : 'open',
    firstSeenAt: row.firstSeenAt,
    openedAt: row.openedAt ?? row.firstSeenAt,
    resolvedAt: row.resolvedAt,
  };
}

const COLUMNS = ['id', 'app', 'kind', 'subject', 'status', 'first_seen_at', 'looks', 'opened_at', 'resolved_at', 'data', 'shown', 'channel', 'ts'] as const;

export class IncidentRepository {
  constructor(private readonly store: Store) {}

  /** The app's incidents that are not resolved. */
  async active(app: string): Promise<IncidentRow[]> {
    const rows = await this.store.db.selectFrom('health_incidents').select(COLUMNS).where('app', '=', app).where('status', '<>', 'resolved').execute();
    return rows.map(fromRow);
  }

  /** Open incidents, oldest first (for App Home and the digest), of these apps or all. */
  async open(apps?: readonly string[]): Promise<Incident[]> {
    if (apps && apps.length === 0) return [];
    let query = this.store.db.selectFrom('health_incidents').select(COLUMNS).where('status', '=', 'open');
    if (apps) query = query.where('app', 'in', [...apps]);
    return (await query.orderBy('opened_at').execute()).map((r) => incidentOf(fromRow(r)));
  }

  /** Incidents resolved since `since`, of these apps. */
  async resolvedSince(apps: readonly string[], since: Date): Promise<Incident[]> {
    if (apps.length === 0) return [];
    const rows = await this.store.db
      .selectFrom('health_incidents')
      .select(COLUMNS)
      .where('status', '=', 'resolved')
      .where('app', 'in', [...apps])
      .where('resolved_at', '>=', since.toISOString())
      .orderBy('resolved_at')
      .execute();
    return rows.map((r) => incidentOf(fromRow(r)));
  }

  /** Records a condition first seen now; the row of another replica that got there first wins. */
  async seen(app: string, finding: Finding, now: Date): Promise<IncidentRow> {
    const at = now.toISOString();
    await this.store.db
      .insertInto('health_incidents')
      .values({ id: randomUUID(), app, kind: finding.kind, subject: finding.subject, status: 'pending', first_seen_at: at, updated_at: at, data: JSON.stringify(finding) })
      .onConflict((oc) => oc.doNothing())
      .execute();
    const row = (await this.active(app)).find((r) => r.kind === finding.kind && r.subject === finding.subject);
    if (!row) throw new Error(`health incident ${app} ${finding.kind} ${finding.subject} vanished as it was recorded`);
    return row;
  }

  /** Another tick saw the condition: its content as seen now, and one more look while it is pending. */
  async seenAgain(row: IncidentRow, finding: Finding, now: Date): Promise<IncidentRow> {
    const looks = row.status === 'pending' ? row.looks + 1 : row.looks;
    await this.store.db
      .updateTable('health_incidents')
      .set({ data: JSON.stringify(finding), looks, updated_at: now.toISOString() })
      .where('id', '=', row.id)
      .execute();
    return { ...row, finding, looks };
  }

  /** Claims the opening of a pending incident: true for exactly one caller. */
  async claimOpening(id: string, now: Date): Promise<boolean> {
    const result = await this.store.db
      .updateTable('health_incidents')
      .set({ status: 'open', opened_at: now.toISOString(), updated_at: now.toISOString() })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Gives an opening back after the message could not be posted: the next tick tries again. */
  async reopenPending(id: string): Promise<void> {
    await this.store.db.updateTable('health_incidents').set({ status: 'pending', opened_at: null }).where('id', '=', id).where('status', '=', 'open').execute();
  }

  /** Where the incident's message is (channel only when it waits for the digest) and what it shows. */
  async shown(id: string, channel: string, ts: string | null, shown: string): Promise<void> {
    await this.store.db.updateTable('health_incidents').set({ channel, ts, shown }).where('id', '=', id).execute();
  }

  /** Claims the resolution of an open incident: true for exactly one caller. */
  async resolve(id: string, now: Date): Promise<boolean> {
    const result = await this.store.db
      .updateTable('health_incidents')
      .set({ status: 'resolved', resolved_at: now.toISOString(), updated_at: now.toISOString() })
      .where('id', '=', id)
      .where('status', '=', 'open')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Gives a resolution back after its message could not be edited. */
  async unresolve(id: string): Promise<void> {
    await this.store.db.updateTable('health_incidents').set({ status: 'open', resolved_at: null }).where('id', '=', id).where('status', '=', 'resolved').execute();
  }

  /** A condition that cleared before its threshold was never news: forgotten. */
  async forget(id: string): Promise<void> {
    await this.store.db.deleteFrom('health_incidents').where('id', '=', id).where('status', '=', 'pending').execute();
  }

  /** What the watcher has seen of the app's write errors and notifications; undefined before its first look. */
  async marks(app: string): Promise<HealthMarks | undefined> {
    const row = await this.store.db.selectFrom('health_marks').select('data').where('app', '=', app).executeTakeFirst();
    return row ? (JSON.parse(row.data) as HealthMarks) : undefined;
  }

  async saveMarks(app: string, marks: HealthMarks, now: Date): Promise<void> {
    const data = JSON.stringify(marks);
    const at = now.toISOString();
    await this.store.db
      .insertInto('health_marks')
      .values({ app, data, updated_at: at })
      .onConflict((oc) => oc.column('app').doUpdateSet({ data, updated_at: at }))
      .execute();
  }

  /** Claims today's digest for a channel: true for exactly one caller. */
  async claimDigest(channel: string, day: string, now: Date): Promise<boolean> {
    const result = await this.store.db
      .insertInto('health_digests')
      .values({ channel, day, sent_at: now.toISOString() })
      .onConflict((oc) => oc.columns(['channel', 'day']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async releaseDigest(channel: string, day: string): Promise<void> {
    await this.store.db.deleteFrom('health_digests').where('channel', '=', channel).where('day', '=', day).execute();
  }
}
