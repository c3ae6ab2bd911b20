import type { Release } from '../../heroku/types.js';

/**
 * How long an app's release phase has taken lately: the median, over the releases listed that ran
 * one and finished, of the time from the release's creation to its last status change (`updated_at`:
 * a release without a release phase is `succeeded` when created). Undefined without such a release.
 */
export function usualReleasePhaseMs(releases: readonly Release[]): number | undefined {
  const took = releases
    .filter((r) => r.status === 'succeeded' || r.status === 'failed')
    .map((r) => (r.created_at && r.updated_at ? Date.parse(r.updated_at) - Date.parse(r.created_at) : NaN))
    .filter((ms) => ms > 0)
    .sort((a, b) => a - b);
  return took.length ? took[Math.floor((took.length - 1) / 2)] : undefined;
}
