import { describe, expect, it } from '@jest/globals';
import { dueReminders, parseReminders } from '../../src/status/reminders.js';
import type { MaintenanceNotice } from '../../src/status/notice.js';
import { connectNotice } from './support/notice.js';

const notice = connectNotice();
const reminders = parseReminders(['24h', '1h', 'start', 'end']);
const due = (at: string, n: MaintenanceNotice = notice, justAnnounced = false) =>
  dueReminders(reminders, n, new Date(at), { justAnnounced }).map((d) => `${d.key}${d.silent ? ' (silent)' : ''}`);

describe('reminders', () => {
  it('parses lead times with ms, and refuses what is not a reminder', () => {
    expect(parseReminders(['24h', '30m', '2d', 'start'])).toEqual([
      { kind: 'before', name: '24h', msBefore: 86_400_000 },
      { kind: 'before', name: '30m', msBefore: 1_800_000 },
      { kind: 'before', name: '2d', msBefore: 172_800_000 },
      { kind: 'start', name: 'start' },
    ]);
    expect(() => parseReminders(['soon'])).toThrow('maintenance reminder "soon" must be start, end or a lead time such as 24h or 30m');
  });

  it('is due at each moment, keyed by the start it is for', () => {
    expect(due('2026-07-14T16:59:00Z')).toEqual([]);
    expect(due('2026-07-14T17:00:00Z')).toEqual(['24h@2026-07-15T17:00:00.000Z']);
    expect(due('2026-07-15T16:00:00Z')).toEqual(['24h@2026-07-15T17:00:00.000Z (silent)', '1h@2026-07-15T17:00:00.000Z']);
    expect(due('2026-07-15T17:00:00Z')).toEqual(['start@2026-07-15T17:00:00.000Z']);
    // Every key names the start, so a reschedule arms them all again.
    expect(due('2026-07-15T17:45:00Z')).toEqual(['end@2026-07-15T17:00:00.000Z']);
  });

  it('stays quiet about what the announcement or Heroku already said', () => {
    expect(due('2026-07-15T16:30:00Z', notice, true)).toEqual(['24h@2026-07-15T17:00:00.000Z (silent)', '1h@2026-07-15T17:00:00.000Z (silent)']);
    // Heroku said it started: no "due to start"; finished or cancelled: nothing at all.
    expect(due('2026-07-15T17:01:00Z', { ...notice, state: 'in_progress' })).toEqual([]);
    expect(due('2026-07-15T17:50:00Z', { ...notice, state: 'in_progress' })).toEqual(['end@2026-07-15T17:00:00.000Z']);
    expect(due('2026-07-15T17:50:00Z', { ...notice, state: 'complete' })).toEqual([]);
    expect(due('2026-07-15T16:30:00Z', { ...notice, state: 'cancelled' })).toEqual([]);
  });

  it('has nothing to remind of when the time is unknown', () => {
    expect(due('2026-07-15T17:00:00Z', { ...notice, start: null, end: null, confidence: 'none' })).toEqual([]);
  });
});
