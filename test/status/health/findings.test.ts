import { describe, expect, it } from '@jest/globals';
import type { Connection, Mapping } from '../../../src/ops/heroku/types.js';
import { clearedIn, findingsOf, herokuTime, mappingErrorCounts, type AppReading } from '../../../src/status/health/findings.js';
import { newsOf, NO_MARKS } from '../../../src/status/health/news.js';

const NOW = new Date('2026-12-04T12:00:00Z');
const DAY = 86_400_000;

function mapping(object: string, extra: Partial<Mapping> = {}): Mapping {
  return { id: `m-${object}`, object_name: object, state: 'DATA_SYNCED', sf_polling_seconds: 600, times: { sf_poll: '2026-12-04 11:55:00.123456+00:00' }, config: { fields: { Id: {}, Name: {} } }, ...extra };
}

function reading(state: string, mappings: Mapping[] = [mapping('Account')], extra: Partial<AppReading> = {}): AppReading {
  const connection: Connection = { id: 'c-1', resource_name: 'herokuconnect-shiny-123', app_name: 'acme-prod', state, mappings, region_url: 'https://connect.example' };
  return { app: 'acme-prod', connection, writeErrors: { count: 0, results: [] }, notifications: [], deletedFields: {}, runActive: false, ...extra };
}

/** Findings with what is new as a first look sees it: every write error and notification. */
const withNews = (r: AppReading, writeErrorThreshold = 1) =>
  findingsOf(r, NOW, { news: newsOf({ writeErrors: r.writeErrors, mappingErrors: mappingErrorCounts(r.connection), notifications: r.notifications }, NO_MARKS, NOW, DAY), writeErrorThreshold });
const kinds = (r: AppReading) => withNews(r).map((f) => [f.kind, f.subject, f.fix?.runbook ?? null]);

describe('what the health watcher finds in one reading', () => {
  it('reads Heroku’s timestamps, with or without microseconds and a space', () => {
    expect(herokuTime('2025-07-16 20:12:43.734321+00:00')?.toISOString()).toBe('2025-07-16T20:12:43.734Z');
    expect(herokuTime('2025-07-16T20:12:43Z')?.toISOString()).toBe('2025-07-16T20:12:43.000Z');
    expect(herokuTime('yesterday')).toBeNull();
    expect(herokuTime(null)).toBeNull();
  });

  it('finds nothing on a healthy connection', () => {
    expect(kinds(reading('IDLE'))).toEqual([]);
    expect(kinds(reading('POLLING_DB_CHANGES'))).toEqual([['connection_polling', 'c-1', null]]);
  });

  it.each([
    ['SYSTEM_ERROR', 'restart'],
    ['DB_UNAVAILABLE', 'restart'],
    ['NEED_AUTHENTICATION', null],
    ['UNAUTHORIZED', null],
    ['HEROKU_UNAUTH', null],
    ['RECOVERY', null],
  ])('finds a connection in %s, fixed by %s, and leaves its mappings be', (state, fix) => {
    expect(kinds(reading(state, [mapping('Account', { state: 'BULK_LOAD_ERROR' })]))).toEqual([['connection_state', 'c-1', fix]]);
  });

  it('offers resume for a PAUSED connection, and does not judge mappings while the connection does not sync', () => {
    expect(kinds(reading('PAUSED'))).toEqual([['connection_paused', 'c-1', 'resume']]);
    const held = reading('PAUSED', [mapping('Account', { state: 'SCHEMA_CHANGED' })], { runActive: true, writeErrors: { count: 1, results: [{ id: 1, table_name: 'account', record_id: 5, message: 'REQUIRED_FIELD_MISSING', created_at: '2026-12-04T11:00:00Z' }] } });
    expect(kinds(held)).toEqual([['connection_paused', 'c-1', 'resume'], ['write_errors', 'c-1', null]]);
  });

  it('tells a condition cleared only when the reading shows it gone, not when a run’s states hide it', () => {
    const state = { kind: 'connection_state', subject: 'c-1' } as const;
    const caseError = { kind: 'mapping_error', subject: 'Case' } as const;
    // No run: the connection is always seen, so a state that is not found is gone.
    expect(clearedIn(reading('IDLE'), state)).toBe(true);
    expect(clearedIn(reading('PAUSED'), state)).toBe(true);
    // A run pauses or restarts the connection: only syncing again clears it.
    expect(clearedIn(reading('PAUSED', [], { runActive: true }), state)).toBe(false);
    expect(clearedIn(reading('RECOVERY', [], { runActive: true }), state)).toBe(false);
    expect(clearedIn(reading('IDLE', [], { runActive: true }), state)).toBe(true);
    // Mappings are not judged while the connection does not sync, a run or not.
    expect(clearedIn(reading('PAUSED', [mapping('Case')]), caseError)).toBe(false);
    expect(clearedIn(reading('IDLE', [mapping('Case')]), caseError)).toBe(true);
    // A run's reload is not the mapping back to syncing; polling Salesforce again is.
    expect(clearedIn(reading('IDLE', [mapping('Case', { state: 'RELOAD_TABLE' })], { runActive: true }), caseError)).toBe(false);
    expect(clearedIn(reading('IDLE', [mapping('Case')], { runActive: true }), caseError)).toBe(true);
  });

  it('offers field-change for a mapping stopped by a deleted field, naming the field', () => {
    const stuck = reading('IDLE', [mapping('Account', { state: 'SCHEMA_CHANGED' })], { deletedFields: { Account: ['Region__c'] } });
    expect(findingsOf(stuck, NOW)[0]?.fix).toEqual({ runbook: 'field-change', params: { app: 'acme-prod', object: 'Account', field: 'Region__c' }, label: 'Plan field-change' });
    expect(kinds(reading('IDLE', [mapping('Account', { state: 'SCHEMA_CHANGED' })]))).toEqual([['mapping_schema_changed', 'Account', null]]);
  });

  it('offers reload, naming the mapping, for a mapping whose load failed; nothing for a bad configuration', () => {
    expect(findingsOf(reading('IDLE', [mapping('Case', { state: 'BULK_LOAD_ERROR' })]), NOW)[0]?.fix).toEqual({ runbook: 'reload', params: { app: 'acme-prod', mappings: ['Case'] }, label: 'Plan reload of Case' });
    expect(kinds(reading('IDLE', [mapping('Case', { state: 'BAD_CONFIG' })]))).toEqual([['mapping_error', 'Case', null]]);
  });

  it('finds a mapping whose last Salesforce poll is older than its interval, dated from the poll that did not come', () => {
    const stale = mapping('Contact', { times: { sf_poll: '2026-12-04 10:00:00+00:00' } });
    const [finding] = findingsOf(reading('IDLE', [mapping('Account'), stale, mapping('Lead', { state: 'RELOAD_TABLE', times: { sf_poll: '2026-12-01 00:00:00+00:00' } })]), NOW);
    expect(finding).toMatchObject({ kind: 'mapping_stalled', subject: 'Contact', since: '2026-12-04T10:10:00.000Z' });
    expect(findingsOf(reading('IDLE', [stale]), NOW)).toHaveLength(1);
  });

  it('groups Connect’s notifications by type, newest first', () => {
    const notifications = [
      { id: '1', created_at: '2026-12-04T10:00:00Z', event_type: 'mapping-error', message: 'older' },
      { id: '2', created_at: '2026-12-04T11:00:00Z', event_type: 'mapping-error', message: 'newer' },
      { id: '3', created_at: '2026-12-04T11:30:00Z', event_type: 'postgres-connection', message: 'lost' },
    ];
    const found = withNews(reading('IDLE', [], { notifications }));
    expect(found.map((f) => [f.subject, f.title, f.details])).toEqual([
      ['mapping-error', 'Heroku Connect notifications: mapping-error (2)', ['newer', 'older', 'Latest: 2 new at 2026-12-04 12:00 UTC.']],
      ['postgres-connection', 'Heroku Connect notification: postgres-connection (1)', ['lost', 'Latest: 1 new at 2026-12-04 12:00 UTC.']],
    ]);
    // Weeks old and never acknowledged: not news on a first look.
    expect(withNews(reading('IDLE', [], { notifications: [{ id: '9', created_at: '2026-11-01T10:00:00Z', event_type: 'mapping-error', message: 'old' }] }))).toEqual([]);
  });

  it('counts write errors new since the last look, from /errors and the mappings’ counts.errors, against the threshold', () => {
    const error = (id: number, table: string) => ({ id, table_name: table, record_id: id * 10, message: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', created_at: '2026-12-04T11:50:00Z' });
    const first = reading('IDLE', [mapping('Contact', { counts: { db: 10, sf: 10, pending: 0, errors: 2 } })], { writeErrors: { count: 2, results: [error(1, 'contact'), error(2, 'contact')] } });
    const news = newsOf({ writeErrors: first.writeErrors, mappingErrors: mappingErrorCounts(first.connection), notifications: [] }, NO_MARKS, NOW, DAY);
    // Both count the same refused rows: two new, not four.
    expect([news.writeErrors.fresh, news.writeErrors.streak?.count]).toEqual([2, 2]);
    expect(findingsOf(first, NOW, { news, writeErrorThreshold: 3 })).toEqual([]);
    // The next look sees the same two again, and Account's counts.errors grows by 1 with nothing new in /errors yet.
    const later = new Date(NOW.getTime() + 10 * 60_000);
    const second = reading('IDLE', [mapping('Contact', { counts: { db: 10, sf: 10, pending: 0, errors: 2 } }), mapping('Account', { counts: { db: 5, sf: 5, pending: 0, errors: 1 } })], { writeErrors: first.writeErrors });
    const again = newsOf({ writeErrors: second.writeErrors, mappingErrors: mappingErrorCounts(second.connection), notifications: [] }, news.marks, later, DAY);
    expect([again.writeErrors.fresh, again.writeErrors.streak?.count, again.writeErrors.grown]).toEqual([1, 3, { Account: 1 }]);
    const finding = findingsOf(second, later, { news: again, writeErrorThreshold: 3 }).find((f) => f.kind === 'write_errors');
    expect(finding).toMatchObject({ kind: 'write_errors', title: 'Salesforce refused 2 writes in the last 24 hours', fresh: ['1 new write error (Account +1):', 'Account: 1 more failed row (counts.errors)'] });
    expect(finding?.details).toEqual(expect.arrayContaining(['Failed rows by mapping (counts.errors): Contact 2, Account 1', 'New since the last quiet period: 3; latest: 1 new at 2026-12-04 12:10 UTC (Account: 1).']));
    // A quiet period with nothing new ends the streak.
    const quiet = newsOf({ writeErrors: second.writeErrors, mappingErrors: mappingErrorCounts(second.connection), notifications: [] }, again.marks, new Date(later.getTime() + DAY), DAY);
    expect(quiet.writeErrors.streak).toBeNull();
  });
});
