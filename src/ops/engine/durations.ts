import ms from 'ms';
import type { Duration } from '../runbooks/runbook.js';

/** A runbook's duration in milliseconds; a typo in a runbook fails loudly instead of polling at NaN. */
export function toMs(duration: Duration): number {
  const value = typeof duration === 'number' ? duration : ms(duration);
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new Error(`Invalid duration in runbook: ${String(duration)}`);
  }
  return value;
}

/** As a runbook author would write it: '10s', '5m', '2h'. */
export function showDuration(duration: Duration): string {
  return typeof duration === 'number' ? ms(duration) : duration;
}
