import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { SimulatedHeroku } from '../../../src/sandbox/heroku/index.js';
import { call, simulatedHeroku } from './helpers.js';

describe('simulated Heroku: status feeds', () => {
  let sim: SimulatedHeroku;
  beforeAll(async () => {
    sim = await simulatedHeroku();
  });
  beforeEach(() => sim.reset());
  afterAll(() => sim.close());

  const currentStatus = async () => (await call(sim, 'GET', '/api/v4/current-status', { auth: false })).body;
  const trust = async (query = '') => (await call(sim, 'GET', `/v1/maintenances${query}`, { auth: false })).body;
  const window = { start: '2026-09-23T18:30:00Z', end: '2026-09-23T19:15:00Z' };

  it('plays a maintenance notice: announce, reschedule, start, complete, on both channels', async () => {
    const notice = sim.notices.announce({ window, region: 'Virginia' });
    let item = (await currentStatus()).scheduled[0];
    expect(item.title).toBe('[Virginia] Heroku Connect maintenance on Wednesday, September 23 at 18:30 UTC');
    expect(item.state).toBe('upcoming');
    expect(item.updates[0].update_type).toBe('scheduled');
    expect(item.updates[0].contents).toMatch(/^On Wednesday, September 23, 2026, at 18:30 UTC, and continuing until 19:15 UTC \(45 minutes\)/);
    let [maintenance] = await trust();
    expect(maintenance).toMatchObject({ plannedStartTime: '2026-09-23T18:30:00.000Z', plannedEndTime: '2026-09-23T19:15:00.000Z', externalId: String(notice.id) });
    expect(maintenance.message.maintenanceType).toBe('scheduledMaintenance');

    notice.reschedule({ start: '2026-09-30T18:30:00Z', end: '2026-09-30T19:15:00Z' });
    item = (await currentStatus()).scheduled[0];
    expect(item.title).toMatch(/September 30 at 18:30 UTC$/);
    expect(item.updates).toHaveLength(2);
    expect(item.updates[0].contents).toMatch(/^This maintenance has been rescheduled\./);
    [maintenance] = await trust();
    expect(maintenance.plannedStartTime).toBe('2026-09-30T18:30:00.000Z');

    notice.start();
    let status = await currentStatus();
    expect(status.status).toContainEqual({ system: 'Data', status: 'blue' });
    expect(status.scheduled[0].updates[0].update_type).toBe('maintenance');
    expect((await trust())[0].message.eventStatus).toBe('inProgress');

    notice.complete();
    status = await currentStatus();
    expect(status.status).toContainEqual({ system: 'Data', status: 'green' });
    expect(status.scheduled[0]).toMatchObject({ state: 'resolved', resolved: true });
    expect(status.scheduled[0].updates[0].update_type).toBe('resolved');
    expect((await trust())[0].message.eventStatus).toBe('resolved');
  });

  it('cancels a notice, and keeps a notice off Trust with trust: false', async () => {
    sim.notices.announce({ window, title: 'Heroku Platform Maintenance', trust: false });
    const canceled = sim.notices.announce({ window }).cancel();
    expect(canceled.phase).toBe('canceled');
    const maintenances = await trust();
    expect(maintenances).toHaveLength(1);
    expect(maintenances[0].message.eventStatus).toBe('canceled');
    const incidents = (await call(sim, 'GET', '/api/v4/incidents?limit=1', { auth: false })).body;
    expect(incidents).toHaveLength(1);
    expect(incidents[0].updates[0].contents).toMatch(/canceled/);
  });

  it('filters Trust maintenances that ended before startTime', async () => {
    sim.notices.announce({ window });
    expect(await trust('?startTime=2026-09-23T19:00:00.000Z&limit=10&offset=0&product=Heroku&locale=en')).toHaveLength(1);
    expect(await trust('?startTime=2026-09-24T00:00:00.000Z')).toHaveLength(0);
  });

  it('shows open incidents with their color, and mirrors them on Trust when asked', async () => {
    const incident = sim.notices.incident({ title: 'Heroku Connect sync delays', text: 'We are investigating.', severity: 'major', trust: true });
    const status = await currentStatus();
    expect(status.status).toContainEqual({ system: 'Data', status: 'red' });
    expect(status.incidents[0]).toMatchObject({ title: 'Heroku Connect sync delays', state: 'open' });
    expect((await call(sim, 'GET', '/v1/incidents/active', { auth: false })).body[0].IncidentImpacts[0].severity).toBe('major');
    incident.complete('Resolved.');
    expect((await currentStatus()).incidents).toEqual([]);
  });

  it('answers If-None-Match with 304 until something changes', async () => {
    const first = await call(sim, 'GET', '/api/v4/current-status', { auth: false });
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/^".+"$/);
    const again = await call(sim, 'GET', '/api/v4/current-status', { auth: false, headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    expect(again.body).toBeUndefined();
    const trustFirst = await call(sim, 'GET', '/v1/maintenances', { auth: false });
    expect((await call(sim, 'GET', '/v1/maintenances', { auth: false, headers: { 'If-None-Match': trustFirst.headers.get('etag') ?? '' } })).status).toBe(304);

    sim.notices.announce({ window });
    const changed = await call(sim, 'GET', '/api/v4/current-status', { auth: false, headers: { 'If-None-Match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
  });
});
