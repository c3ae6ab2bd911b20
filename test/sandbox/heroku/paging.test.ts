import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SimulatedHeroku } from '../../../src/sandbox/heroku/index.js';
import { call, simulatedHeroku } from './helpers.js';

describe('simulated Heroku: Range / Next-Range paging', () => {
  let sim: SimulatedHeroku;
  beforeAll(async () => {
    sim = await simulatedHeroku();
    // 12 config changes make 12 more releases on top of the seeded ones
    for (let i = 0; i < 12; i++) await call(sim, 'PATCH', '/apps/acme-prod/config-vars', { body: { COUNTER: String(i) } });
  });
  afterAll(() => sim.close());

  it('answers 206 with Next-Range when more items remain than max', async () => {
    const first = await call(sim, 'GET', '/apps/acme-prod/releases', { headers: { Range: 'version ..; max=5' } });
    expect(first.status).toBe(206);
    expect(first.body.map((r: { version: number }) => r.version)).toEqual([1, 2, 3, 4, 5]);
    expect(first.headers.get('next-range')).toBe('version ]5..; max=5, order=asc');
  });

  it('walks every page by sending Next-Range back as Range, ending with 200', async () => {
    const versions: number[] = [];
    let range: string | null = 'version ..; max=4';
    let last = 0;
    while (range) {
      const page = await call(sim, 'GET', '/apps/acme-prod/releases', { headers: { Range: range } });
      versions.push(...page.body.map((r: { version: number }) => r.version));
      range = page.headers.get('next-range');
      last = page.status;
    }
    expect(last).toBe(200);
    expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => i + 1));
    expect(versions.length).toBe(sim.world.apps.get('acme-prod')?.releases.length);
  });

  it('reads the newest release with order=desc,max=1, as the CLI does after a config change', async () => {
    const { status, body } = await call(sim, 'GET', '/apps/acme-prod/releases', { headers: { Range: 'version ..; order=desc,max=1' } });
    expect(status).toBe(206);
    expect(body).toHaveLength(1);
    expect(body[0].description).toBe('Set COUNTER config vars');
    expect(body[0].current).toBe(true);
  });

  it('returns 200 without Next-Range when everything fits, and refuses an unknown range field', async () => {
    const all = await call(sim, 'GET', '/apps', { headers: { Range: 'name ..; max=1000' } });
    expect(all.status).toBe(200);
    expect(all.headers.get('next-range')).toBeNull();
    expect(all.body.map((a: { name: string }) => a.name)).toEqual(['acme-prod', 'acme-staging', 'globex-prod', 'hooli-prod', 'hooli-reports', 'initech-api']);
    const bad = await call(sim, 'GET', '/apps', { headers: { Range: 'color ..; max=2' } });
    expect(bad.status).toBe(416);
  });
});
