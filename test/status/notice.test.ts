import { describe, expect, it } from '@jest/globals';
import type { CurrentStatus, StatusItem } from '../../src/ops/heroku/status-feed.js';
import type { TrustMaintenance } from '../../src/ops/heroku/trust.js';
import { observeNotices } from '../../src/status/notice.js';
import type { FeedSnapshot } from '../../src/status/sources.js';
import { fixture } from './support/fixtures.js';

const status2120 = fixture('current-status.v4.scheduled-data-service-update.2020.statuscheck.json') as CurrentStatus;
const item2120 = status2120.scheduled[0] as StatusItem;
const trustFixture = (fixture('trust.maintenances.heroku-cli-test-fixture.json') as TrustMaintenance[])[0] as TrustMaintenance;

/** 2120 as if it had been a Virginia Heroku Connect window, after its first `count` updates. */
const connect2120 = (count = 4): StatusItem => ({
  ...item2120,
  title: '[Virginia] Heroku Connect maintenance on Monday, November 9 at 19:00 UTC (14:00 EST)',
  updates: item2120.updates.slice(-count).map((u) => ({ ...u, contents: u.contents.replace('the Heroku Data services', 'Heroku Connect') })),
});

const snapshot = (parts: Partial<FeedSnapshot> & { scheduled?: StatusItem[] }): FeedSnapshot => ({
  current: { status: status2120.status, incidents: [], scheduled: parts.scheduled ?? [] },
  history: parts.history ?? [],
  trust: parts.trust ?? [],
});

describe('observing notices', () => {
  it('leaves out the fixtures, none of which is Heroku Connect maintenance', () => {
    const status2959 = fixture('current-status.v4.scheduled-upcoming.2026-trimmed.feed-guide.json') as CurrentStatus;
    const observed = observeNotices(snapshot({ scheduled: [item2120, ...status2959.scheduled], trust: [trustFixture] }), new Date('2026-07-01T00:00:00Z'));
    expect(observed).toEqual([]);
  });

  it('reads an announced Connect window with its 8.4 dedup key, link and Heroku words', () => {
    const [o] = observeNotices(snapshot({ scheduled: [connect2120(1)] }), new Date('2020-11-01T00:00:00Z'));
    expect(o).toEqual({
      sourceIds: ['heroku:2120'],
      updateKey: '2120:6685',
      notice: {
        source: 'heroku',
        title: '[Virginia] Heroku Connect maintenance on Monday, November 9 at 19:00 UTC (14:00 EST)',
        state: 'scheduled',
        start: '2020-11-09T19:00:00.000Z',
        end: '2020-11-09T19:30:00.000Z',
        regions: ['Virginia'],
        confidence: 'high',
        link: 'https://status.heroku.com/incidents/2120',
        text: expect.stringMatching(/^On Monday, November 9, 2020, at 19:00 UTC/),
      },
    });
  });

  it('moves the end when a later update says the work will complete later, and ends complete', () => {
    const at = new Date('2020-11-09T19:30:00Z');
    const [overrun] = observeNotices(snapshot({ scheduled: [connect2120(3)] }), at);
    expect(overrun?.notice).toMatchObject({ state: 'in_progress', start: '2020-11-09T19:00:00.000Z', end: '2020-11-09T19:45:00.000Z' });
    expect(overrun?.updateKey).toBe('2120:6691');
    const [done] = observeNotices(snapshot({ scheduled: [connect2120(4)] }), at);
    expect(done?.notice.state).toBe('complete');
    expect(done?.updateKey).toBe('2120:6692');
  });

  it('keys an item without update ids by its newest update time, and takes 2959-style "Maintenance is complete" as the end', () => {
    const status2959 = fixture('current-status.v4.scheduled-upcoming.2026-trimmed.feed-guide.json') as CurrentStatus;
    const raw = status2959.scheduled[0] as StatusItem;
    const item: StatusItem = {
      ...raw,
      updates: raw.updates.map((u) => ({ ...u, contents: u.contents.replace('...', 'Heroku Connect sync will be paused') })),
    };
    const [o] = observeNotices(snapshot({ scheduled: [item] }), new Date('2026-07-15T22:00:00Z'));
    expect(o?.updateKey).toBe('2959:2026-07-15T21:23:52.796Z');
    expect(o?.notice).toMatchObject({ state: 'complete', start: '2026-07-15T17:00:00.000Z', end: '2026-07-15T20:00:00.000Z', regions: ['EMEA', 'NA', 'APAC'] });
  });

  it('prefers the planned times of the Trust maintenance that carries the item', () => {
    const trust = { ...trustFixture, externalId: '2120', plannedStartTime: '2020-11-09T19:05:00.000Z', plannedEndTime: '2020-11-09T19:35:00.000Z' };
    const [o] = observeNotices(snapshot({ scheduled: [connect2120(1)], trust: [trust] }), new Date('2020-11-01T00:00:00Z'));
    expect(o?.sourceIds).toEqual(['heroku:2120', 'trust:20745576']);
    expect(o?.notice).toMatchObject({ start: '2020-11-09T19:05:00.000Z', end: '2020-11-09T19:35:00.000Z', confidence: 'high', regions: ['Virginia'] });
  });

  it('matches a Connect Trust maintenance by its window when it has no external id, and lists an unmatched one on its own', () => {
    const overlapping = { ...trustFixture, id: 1, externalId: null, name: 'Heroku Connect maintenance', plannedStartTime: '2020-11-09T19:00:00.000Z', plannedEndTime: '2020-11-09T19:45:00.000Z' };
    const later = { ...overlapping, id: 2, plannedStartTime: '2020-11-20T10:00:00.000Z', plannedEndTime: '2020-11-20T10:45:00.000Z', message: { eventStatus: 'confirmed' }, MaintenanceEvents: [] };
    const observed = observeNotices(snapshot({ scheduled: [connect2120(1)], trust: [overlapping, later] }), new Date('2020-11-01T00:00:00Z'));
    expect(observed.map((o) => o.sourceIds)).toEqual([['heroku:2120', 'trust:1'], ['trust:2']]);
    expect(observed[1]?.notice).toEqual({
      source: 'trust',
      title: 'Heroku Connect maintenance',
      state: 'scheduled',
      start: '2020-11-20T10:00:00.000Z',
      end: '2020-11-20T10:45:00.000Z',
      regions: ['NA'],
      confidence: 'high',
      link: 'https://status.salesforce.com/maintenances/2',
      text: 'Heroku Connect maintenance',
    });
  });

  it('reads items from the incidents history too, once, knowing they are no longer listed', () => {
    const at = new Date('2020-11-10T00:00:00Z');
    const both = observeNotices(snapshot({ scheduled: [connect2120(1)], history: [connect2120(1)] }), at);
    expect(both).toHaveLength(1);
    expect(both[0]?.notice.state).toBe('scheduled');
    // Only in the history and its end has passed: over (reference 7.4).
    const [gone] = observeNotices(snapshot({ history: [connect2120(1)] }), at);
    expect(gone?.notice.state).toBe('complete');
  });

  it('says the time is unknown after a reschedule it cannot read, rather than keep the stale window', () => {
    const item = connect2120(1);
    const moved: StatusItem = {
      ...item,
      updates: [{ id: 7000, created_at: '2020-11-02T00:00:00.000Z', update_type: 'scheduled', contents: 'This maintenance has been rescheduled; a new window will follow.' }, ...item.updates],
    };
    const [o] = observeNotices(snapshot({ scheduled: [moved] }), new Date('2020-11-03T00:00:00Z'));
    expect(o?.notice).toMatchObject({ start: null, end: null, confidence: 'none', state: 'scheduled' });
  });
});
