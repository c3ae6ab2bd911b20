import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { maintenanceGuard } from '../src/maintenance-overlaps.js';
import { createTestStore, type TestStore } from './support/backends.js';

const HOUR = 3_600_000;

describe('the cutover guard', () => {
  let t: TestStore;
  const now = new Date('2026-11-21T12:00:00Z');

  beforeAll(async () => {
    t = await createTestStore('sqlite');
    const notice = (id: string, start: string | null, end: string | null) => ({
      id,
      source: 'heroku',
      title: `Heroku Connect maintenance ${id}`,
      state: 'scheduled',
      starts_at: start,
      ends_at: end,
      regions: '["Virginia"]',
      confidence: start ? 'high' : 'none',
      latest_update_key: `${id}:1`,
      data: JSON.stringify({ link: `https://status.heroku.com/incidents/${id}` }),
      first_seen_at: now.toISOString(),
      updated_at: now.toISOString(),
    });
    await t.store.db
      .insertInto('maintenance_notices')
      .values([notice('1', '2026-11-21T14:00:00.000Z', '2026-11-21T14:45:00.000Z'), notice('2', null, null)])
      .execute();
  });
  afterAll(async () => {
    await t.dispose();
  });

  it('holds a cutover that overlaps a window with known times', async () => {
    const guard = maintenanceGuard(t.store, () => now);
    // The wall clock is not the watcher's clock here: the guard shifts the engine's times onto it.
    const offset = now.getTime() - Date.now();
    const at = (ms: number) => new Date(now.getTime() + ms - offset);
    const hit = await guard('acme-prod', at(1.5 * HOUR), at(2.5 * HOUR));
    expect(hit).toMatchObject({ title: 'Heroku Connect maintenance 1', link: 'https://status.heroku.com/incidents/1' });
    // The window comes back on the engine's clock, which sleeps until its end: 2 h 45 m from now there.
    const engineNow = Date.now();
    expect(new Date(hit!.start).getTime() - engineNow).toBeGreaterThan(2 * HOUR - 60_000);
    expect(new Date(hit!.start).getTime() - engineNow).toBeLessThanOrEqual(2 * HOUR);
    expect(new Date(hit!.end).getTime() - new Date(hit!.start).getTime()).toBe(0.75 * HOUR);
  });

  it('lets a cutover clear of every timed window go, and is not held by a window of unknown time', async () => {
    const guard = maintenanceGuard(t.store, () => now);
    const offset = now.getTime() - Date.now();
    const at = (ms: number) => new Date(now.getTime() + ms - offset);
    expect(await guard('acme-prod', at(0), at(HOUR))).toBeNull();
    expect(await guard('acme-prod', at(3 * HOUR), at(4 * HOUR))).toBeNull();
  });
});
