import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createStatusFeedClient, type StatusItem } from '../../src/ops/heroku/status-feed.js';
import { createTrustClient } from '../../src/ops/heroku/trust.js';
import { classifyStatusItem, classifyText, classifyTrustMaintenance, type Classification } from '../../src/status/classifier.js';
import { FeedHealth, readFeeds, type FeedName, type FeedSnapshot } from '../../src/status/sources.js';
import { startFeedServer, type FeedRoute, type FeedServer } from './support/feed-server.js';
import { fixture, fixtureNames } from './support/fixtures.js';

let feeds: FeedServer;
beforeAll(async () => {
  feeds = await startFeedServer();
});
afterAll(async () => {
  await feeds.close();
});

/** Serves one payload on one route (the others empty) and reads it through the sources. */
async function throughSources(route: FeedRoute, payload: unknown): Promise<{ snapshot: FeedSnapshot; failing: FeedName[] }> {
  feeds.payloads = { 'current-status': { status: [], incidents: [], scheduled: [] }, incidents: [], maintenances: [], [route]: payload };
  const health = new FeedHealth();
  const sources = {
    status: createStatusFeedClient({ baseUrl: feeds.statusUrl, timeoutMs: 2000 }),
    trust: createTrustClient({ baseUrl: feeds.trustUrl, timeoutMs: 2000 }),
  };
  const snapshot = await readFeeds(sources, new Date('2026-07-01T00:00:00Z'), health);
  return { snapshot, failing: [...health.failures().keys()] };
}

function classifyAll(snapshot: FeedSnapshot): Record<string, Classification> {
  const out: Record<string, Classification> = {};
  for (const item of snapshot.current?.scheduled ?? []) out[`heroku:${item.id}`] = classifyStatusItem(item, { scheduled: true });
  for (const item of [...(snapshot.current?.incidents ?? []), ...(snapshot.history ?? [])]) {
    out[`heroku:${item.id}`] = classifyStatusItem(item, { scheduled: false });
  }
  for (const m of snapshot.trust ?? []) out[`trust:${m.id}`] = classifyTrustMaintenance(m);
  return out;
}

const none = { connect: false, regions: [] };
/** Each fixture, the route it is served on, and what the sources and the classifier make of it. */
const expectations: Record<string, { route: FeedRoute; rejectedBy?: FeedName; classified?: Record<string, Classification> }> = {
  'current-status.v3.devcenter.json': { route: 'current-status', rejectedBy: 'heroku current-status' },
  'current-status.v4.open-incident.2019.statuscheck-edited.json': {
    route: 'current-status',
    classified: { 'heroku:1918': { ...none, maintenance: false } },
  },
  'current-status.v4.scheduled-data-service-update.2020.statuscheck.json': {
    route: 'current-status',
    classified: { 'heroku:2120': { ...none, maintenance: true } },
  },
  // The trimmed 2026 text does not name Heroku Connect: a generic platform maintenance, in every area.
  'current-status.v4.scheduled-upcoming.2026-trimmed.feed-guide.json': {
    route: 'current-status',
    classified: { 'heroku:2959': { connect: false, maintenance: true, regions: ['EMEA', 'NA', 'APAC'] } },
  },
  'incidents.v4.list-item.2026.parseHeroku-test.json': { route: 'incidents', classified: { 'heroku:2960': { ...none, maintenance: false } } },
  'issue.v3.336.devcenter-sample.json': { route: 'incidents', rejectedBy: 'heroku incidents' },
  'issues.v3.devcenter-sample.json': { route: 'incidents', classified: { 'heroku:604': { ...none, maintenance: false } } },
  'trust.incidents-active.heroku-cli-test-fixture.json': { route: 'maintenances', rejectedBy: 'trust maintenances' },
  'trust.instances.heroku-cli-test-fixture.json': { route: 'maintenances', rejectedBy: 'trust maintenances' },
  'trust.localizations.heroku-cli-test-fixture.json': { route: 'maintenances', rejectedBy: 'trust maintenances' },
  'trust.maintenances.heroku-cli-test-fixture.json': {
    route: 'maintenances',
    classified: { 'trust:20745576': { connect: false, maintenance: true, regions: ['NA'] } },
  },
};

describe('every fixture through the sources and the classifier', () => {
  it('has an expectation for every payload in the fixtures folder', () => {
    expect(Object.keys(expectations).sort()).toEqual(fixtureNames);
  });

  it.each(fixtureNames)('%s', async (name) => {
    const expected = expectations[name];
    if (!expected) throw new Error(`no expectation for ${name}`);
    const { snapshot, failing } = await throughSources(expected.route, fixture(name));
    if (expected.rejectedBy) {
      // A malformed feed fails its own source only.
      expect(failing).toEqual([expected.rejectedBy]);
    } else {
      expect(failing).toEqual([]);
      expect(classifyAll(snapshot)).toEqual(expected.classified);
    }
  });
});

describe('Heroku Connect notices', () => {
  const item = (title: string, contents: string[] = [], tags?: string[]): StatusItem => ({
    id: 1,
    title,
    created_at: '2026-07-01T12:00:00.000Z',
    tags,
    updates: contents.map((c, i) => ({ id: i + 1, created_at: '2026-07-01T12:00:00.000Z', update_type: 'scheduled', contents: c })),
  });

  it.each([
    ['(Oregon) (Virginia) Heroku Connect Service Update on Wednesday July 18 at 12:00 UTC (08:00 EDT)', ['Oregon', 'Virginia']],
    ['[Virginia] Heroku Connect maintenance on Wednesday, September 23 at 18:30 UTC (2:30 PM EDT)', ['Virginia']],
    ['Heroku Connect (Virginia) Urgent Maintenance on Wednesday, April 27th at 03:00 UTC (Tuesday, April 26th at 23:00 EDT)', ['Virginia']],
    ['[Dublin] [Frankfurt] [Tokyo] [Sydney] Heroku Connect maintenance', ['Dublin', 'Frankfurt', 'Tokyo', 'Sydney']],
  ])('knows a title that says so: %s', (title, regions) => {
    expect(classifyStatusItem(item(title), { scheduled: true })).toEqual({ connect: true, maintenance: true, regions });
  });

  it('knows a generic maintenance title whose update names Heroku Connect, with the regions from the text', () => {
    const text = 'Heroku Connect add-ons in Virginia and Virginia-4 regions will undergo a service update on May 09, 2023, starting at 11:30 UTC.';
    expect(classifyStatusItem(item('Heroku Maintenance scheduled on Tuesday, May 9, 2023 at 11:30 UTC', [text]), { scheduled: true })).toEqual({
      connect: true,
      maintenance: true,
      regions: ['Virginia', 'Virginia-4'],
    });
  });

  it('takes regions from the 2026 tags when the words name none', () => {
    const c = classifyStatusItem(item('Heroku Platform Maintenance', ['Heroku Connect sync will pause.'], ['EMEA']), { scheduled: true });
    expect(c).toEqual({ connect: true, maintenance: true, regions: ['EMEA'] });
  });

  it('leaves out platform maintenance that never names Connect, and Connect incidents that are not maintenance', () => {
    expect(classifyStatusItem(item('Heroku Platform Maintenance', ['Dyno restarts in Virginia.']), { scheduled: true }).connect).toBe(false);
    const incident = { ...item('Heroku Connect sync delays'), updates: [] };
    expect(classifyStatusItem(incident, { scheduled: false })).toMatchObject({ connect: true, maintenance: false });
  });

  it('does not take the verb "connect" for the product', () => {
    expect(classifyText('Some apps cannot connect to their databases').connect).toBe(false);
    expect(classifyText('Heroku Connect sync is paused').connect).toBe(true);
    expect(classifyText('Connect mappings will not sync during the window').connect).toBe(true);
  });
});
