import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { MaintenanceNotice } from '../../src/status/notice.js';
import { NoticeRepository } from '../../src/status/repository.js';
import { overlaps, upcomingWindows } from '../../src/status/windows.js';
import { createTestStore, storeDialects, type TestStore } from '../support/backends.js';

const dialects = await storeDialects();
const now = new Date('2026-07-15T12:00:00Z');
const base: MaintenanceNotice = {
  id: 'heroku:1',
  source: 'heroku',
  title: 'Heroku Connect maintenance',
  state: 'scheduled',
  start: '2026-07-16T17:00:00.000Z',
  end: '2026-07-16T17:45:00.000Z',
  regions: ['Virginia'],
  confidence: 'high',
  link: 'https://status.heroku.com/incidents/1',
  text: '',
};

describe.each(dialects)('upcoming windows on %s', (dialect) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await createTestStore(dialect);
    const repository = new NoticeRepository(t.store);
    const notices: MaintenanceNotice[] = [
      base,
      { ...base, id: 'heroku:2', start: '2026-07-15T11:30:00.000Z', end: '2026-07-15T12:15:00.000Z', state: 'in_progress' },
      { ...base, id: 'heroku:3', start: null, end: null, confidence: 'none', link: null },
      { ...base, id: 'heroku:4', state: 'cancelled' },
      { ...base, id: 'heroku:5', state: 'complete' },
      { ...base, id: 'heroku:6', start: '2026-07-14T17:00:00.000Z', end: '2026-07-14T17:45:00.000Z' }, // over by the clock
    ];
    for (const n of notices) await repository.save(n, `${n.id}:1`, [n.id], now);
  });
  afterAll(async () => {
    await t.dispose();
  });

  it('lists announced, unfinished windows, soonest first and unknown times last', async () => {
    const windows = await upcomingWindows(t.store, now);
    expect(windows.map((w) => w.id)).toEqual(['heroku:2', 'heroku:1', 'heroku:3']);
    expect(windows[1]).toEqual({
      id: 'heroku:1',
      title: 'Heroku Connect maintenance',
      start: new Date('2026-07-16T17:00:00.000Z'),
      end: new Date('2026-07-16T17:45:00.000Z'),
      regions: ['Virginia'],
      confidence: 'high',
      link: 'https://status.heroku.com/incidents/1',
    });
  });
});

describe('overlaps', () => {
  const window = { start: new Date('2026-07-16T17:00:00Z'), end: new Date('2026-07-16T17:45:00Z') };
  it('is true when the times share a moment, and false when they only touch', () => {
    expect(overlaps(window, new Date('2026-07-16T17:30:00Z'), new Date('2026-07-16T19:00:00Z'))).toBe(true);
    expect(overlaps(window, new Date('2026-07-16T16:00:00Z'), new Date('2026-07-16T17:00:00Z'))).toBe(false);
    expect(overlaps(window, new Date('2026-07-16T17:45:00Z'), new Date('2026-07-16T18:00:00Z'))).toBe(false);
  });

  it('takes a window at an unknown time as overlapping', () => {
    expect(overlaps({ start: null, end: null }, new Date('2026-07-20T00:00:00Z'), new Date('2026-07-20T01:00:00Z'))).toBe(true);
  });
});
