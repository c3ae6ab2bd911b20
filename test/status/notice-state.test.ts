import { describe, expect, it } from '@jest/globals';
import type { StatusItem } from '../../src/ops/heroku/status-feed.js';
import type { TrustMaintenance } from '../../src/ops/heroku/trust.js';
import { herokuNoticeState, mentionsReschedule, reportedState, trustNoticeState } from '../../src/status/notice-state.js';
import { fixture } from './support/fixtures.js';

type Payload = { scheduled: StatusItem[] };
const item2120 = (fixture('current-status.v4.scheduled-data-service-update.2020.statuscheck.json') as Payload).scheduled[0] as StatusItem;
const item2959 = (fixture('current-status.v4.scheduled-upcoming.2026-trimmed.feed-guide.json') as Payload).scheduled[0] as StatusItem;
// The list item carries no updates; the client's schema gives it an empty list.
const item2960 = { updates: [], ...(fixture('incidents.v4.list-item.2026.parseHeroku-test.json') as StatusItem[])[0] } as StatusItem;

const context = { end: new Date('2020-11-09T19:45:00Z'), listedNow: true, now: new Date('2020-11-09T20:00:00Z') };
/** 2120 as it stood after its first `count` updates (oldest first). */
const stage = (count: number): StatusItem => ({ ...item2120, updates: item2120.updates.slice(-count) });

describe('notice state', () => {
  it('follows 2120 through its updates: scheduled, in progress, complete', () => {
    expect(herokuNoticeState(stage(1), context)).toBe('scheduled');
    expect(herokuNoticeState(stage(2), context)).toBe('in_progress');
    expect(herokuNoticeState(stage(3), context)).toBe('in_progress'); // the overrun
    expect(herokuNoticeState(stage(4), context)).toBe('complete');
  });

  it('ignores the `resolved: true` that 2120 carried while only announced', () => {
    const payload = fixture('current-status.v4.scheduled-data-service-update.2020.statuscheck.json') as { scheduled: Array<{ resolved: boolean }> };
    expect(payload.scheduled[0]?.resolved).toBe(true);
    expect(herokuNoticeState(stage(1), { ...context, now: new Date('2020-11-01T00:00:00Z') })).toBe('scheduled');
  });

  it('takes 2959 as complete although its state still says upcoming (quirk 7.3)', () => {
    expect(item2959.state).toBe('upcoming');
    expect(herokuNoticeState(item2959, { end: null, listedNow: true, now: new Date('2026-09-23T00:00:00Z') })).toBe('complete');
  });

  it('takes 2960 as finished from `state: resolved` although `resolved` is false', () => {
    expect(herokuNoticeState(item2960, { end: null, listedNow: false, now: new Date('2026-08-07T00:00:00Z') })).toBe('complete');
  });

  it('takes a notice that left current-status after its end as complete, but not while current-status is unknown', () => {
    const announced = stage(1);
    expect(herokuNoticeState(announced, { ...context, listedNow: false })).toBe('complete');
    expect(herokuNoticeState(announced, { ...context, listedNow: null })).toBe('scheduled');
    expect(herokuNoticeState(announced, { ...context, listedNow: false, now: new Date('2020-11-09T19:10:00Z') })).toBe('scheduled');
  });

  it('recognises a cancellation before anything else, even in a `resolved` update', () => {
    const cancelled: StatusItem = {
      ...stage(1),
      updates: [
        { id: 9, created_at: '2020-11-05T00:00:00.000Z', update_type: 'resolved', contents: 'This maintenance has been canceled. We will announce a new window if one is needed.' },
        ...stage(1).updates,
      ],
    };
    expect(herokuNoticeState(cancelled, context)).toBe('cancelled');
  });

  it('reads what an update reports, not what it promises', () => {
    expect(reportedState("The scheduled service update is now underway. \r\n\r\nWe'll post more updates as necessary or when the service update is complete.\r\n")).toBe('in_progress');
    expect(reportedState('We will provide an update when we begin and complete the service update.')).toBeNull();
    expect(reportedState('If the maintenance is cancelled, we will let you know.')).toBeNull();
    expect(reportedState('This maintenance has been cancelled and will be rescheduled.')).toBe('cancelled');
    expect(reportedState('Maintenance is complete')).toBe('complete');
  });

  it('recognises a reschedule', () => {
    expect(mentionsReschedule('This maintenance has been rescheduled. On Thursday, July 16 ...')).toBe(true);
    expect(mentionsReschedule('On Wednesday, July 15, 2026, at 17:00 UTC ...')).toBe(false);
  });

  it('reads Trust maintenances from eventStatus and their newest event', () => {
    const trust = (fixture('trust.maintenances.heroku-cli-test-fixture.json') as TrustMaintenance[])[0] as TrustMaintenance;
    expect(trustNoticeState({ ...trust, MaintenanceEvents: [] })).toBe('complete'); // eventStatus "resolved"
    const scheduled = { ...trust, message: { eventStatus: 'confirmed' }, MaintenanceEvents: [] };
    expect(trustNoticeState(scheduled)).toBe('scheduled');
    expect(trustNoticeState({ ...scheduled, message: { eventStatus: 'inProgress' } })).toBe('in_progress');
    expect(trustNoticeState({ ...scheduled, message: { eventStatus: 'canceled' } })).toBe('cancelled');
  });
});
