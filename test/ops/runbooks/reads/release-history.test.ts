import { describe, expect, it } from '@jest/globals';
import type { Release } from '../../../../src/ops/heroku/types.js';
import { usualReleasePhaseMs } from '../../../../src/ops/runbooks/reads/release-history.js';

const at = (minutes: number) => new Date(Date.UTC(2026, 11, 6, 9, 0) + minutes * 60_000).toISOString();
const release = (version: number, status: Release['status'], from: number, to: number): Release => ({
  id: `r${version}`, version, description: `Deploy ${version}`, status, created_at: at(from), updated_at: at(to),
});

describe('usualReleasePhaseMs', () => {
  it('is the median time from creation to the last status change of the finished releases that ran a release phase', () => {
    const releases = [
      release(1, 'succeeded', 0, 2), // 2 min
      release(2, 'succeeded', 10, 10), // no release phase: succeeded when created
      release(3, 'failed', 20, 25), // 5 min, its release command failed
      release(4, 'succeeded', 30, 33), // 3 min
      release(5, 'pending', 40, 40), // still running: not a duration yet
      release(6, 'expired', 50, 90),
    ];
    expect(usualReleasePhaseMs(releases)).toBe(3 * 60_000);
    expect(usualReleasePhaseMs(releases.slice(0, 1))).toBe(2 * 60_000);
  });

  it('is unknown without a finished release that ran one, or without updated_at', () => {
    expect(usualReleasePhaseMs([])).toBeUndefined();
    expect(usualReleasePhaseMs([release(1, 'succeeded', 0, 0), release(2, 'pending', 5, 5)])).toBeUndefined();
    expect(usualReleasePhaseMs([{ ...release(1, 'succeeded', 0, 2), updated_at: undefined }])).toBeUndefined();
  });
});
