import { describe, expect, it } from '@jest/globals';
import type { Release } from '../../../../src/ops/heroku/types.js';
import type { Ctx } from '../../../../src/ops/runbooks/deps.js';
import { releasesSettled } from '../../../../src/ops/runbooks/reads/names.js';

const at = (minutes: number) => new Date(Date.UTC(2026, 11, 6, 9, 0) + minutes * 60_000).toISOString();
const release = (version: number, description: string, status: Release['status'], from: number, to: number): Release => ({
  id: `r${version}`, version, description, status, created_at: at(from), updated_at: at(to),
});

/** A run of a promote on hooli-prod, which has a release phase: its releases after v10 are the run's. */
function ctxWith(releases: Release[]): Ctx {
  return {
    outputs: { consumers: { releasePhase: ['hooli-prod'], attachments: [{ app: 'hooli-prod' }] }, releaseBaseline: { 'hooli-prod': 10 } },
    deps: { platform: { releases: async () => [...releases].reverse() } },
  } as unknown as Ctx;
}

describe('releasesSettled (the release-phase wait of a promote)', () => {
  const history = [release(8, 'Deploy 8', 'succeeded', 0, 3), release(9, 'Set FOO config vars', 'succeeded', 10, 12), release(10, 'Deploy 10', 'succeeded', 20, 24)];

  it('says how long the app’s release phase usually takes while the run’s releases run it', async () => {
    const result = await releasesSettled(ctxWith([...history, release(11, 'Attach DATABASE (@ref:postgresql-new)', 'pending', 30, 30)]));
    expect(result).toEqual({ done: false, progress: 'Release phase running: hooli-prod v11', usually: 3 * 60_000 });
  });

  it('says nothing of it without an earlier release phase, and is done once every release left pending', async () => {
    const running = release(11, 'Attach DATABASE (@ref:postgresql-new)', 'pending', 30, 30);
    expect(await releasesSettled(ctxWith([running]))).toEqual({ done: false, progress: 'Release phase running: hooli-prod v11', usually: undefined });
    expect(await releasesSettled(ctxWith([...history, { ...running, status: 'succeeded', updated_at: at(32) }]))).toEqual({ done: true });
  });
});
