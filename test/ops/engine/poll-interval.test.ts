import { describe, expect, it } from '@jest/globals';
import { budgetFloor, firstPollDelay, nextPollInterval, observe, predictedMs, type Drain } from '../../../src/ops/engine/poll-interval.js';

const S = 1000;
const M = 60 * S;

/** Observations in order, as the engine adds them. */
const drained = (...seen: Array<[at: number, remaining: number]>): Drain | undefined =>
  seen.reduce<Drain | undefined>((drain, [at, remaining]) => observe(drain, { at, remaining }), undefined);

describe('predictedMs', () => {
  it('knows nothing until the remainder went down', () => {
    expect(predictedMs(drained([0, 100]), 0)).toBeUndefined();
    expect(predictedMs(drained([0, 100], [10 * S, 100]), 10 * S)).toBeUndefined();
  });

  it('extrapolates a steady drain (bytes copied, commits replayed) to 0', () => {
    // 1,000 commits a minute: 2,000 left at 2 min, so 0 at 4 min.
    const drain = drained([0, 4000], [1 * M, 3000], [2 * M, 2000]);
    expect(predictedMs(drain, 2 * M)).toBe(2 * M);
    expect(predictedMs(drain, 3 * M)).toBe(1 * M);
    // Past the moment: negative, overdue.
    expect(predictedMs(drain, 5 * M)).toBe(-1 * M);
  });

  it('measures steps (an upgrade’s 3/7) between the polls that saw them change, not from a reading mid-step', () => {
    // Steps of 90 s. First read mid-step 2 (6 left) at 60 s, step 3 seen at 95 s, step 4 at 185 s.
    const drain = drained([60 * S, 6], [95 * S, 5], [185 * S, 4]);
    // 90 s a step from the two changes: 4 steps left from 185 s is 545 s.
    expect(predictedMs(drain, 185 * S)).toBe(360 * S);
  });

  it('starts again when the remainder grows (the leader took writes again)', () => {
    const drain = drained([0, 100], [1 * M, 50], [2 * M, 80]);
    expect(drain).toEqual({ first: { at: 2 * M, remaining: 80 } });
    expect(predictedMs(drain, 2 * M)).toBeUndefined();
  });
});

describe('nextPollInterval', () => {
  const base = { every: 10 * S, max: 1 * M, elapsed: 0, near: false };

  it('in a cutover, halves the way to the predicted moment, then polls every `every` around it', () => {
    expect(nextPollInterval({ ...base, cutover: true, predicted: 10 * M })).toBe(5 * M);
    expect(nextPollInterval({ ...base, cutover: true, predicted: 40 * S })).toBe(20 * S);
    expect(nextPollInterval({ ...base, cutover: true, predicted: 15 * S })).toBe(10 * S);
  });

  it('in a cutover without a prediction (or past it), is late by at most a tenth of the wait, within every..max', () => {
    expect(nextPollInterval({ ...base, cutover: true, elapsed: 30 * S })).toBe(10 * S);
    expect(nextPollInterval({ ...base, cutover: true, elapsed: 5 * M })).toBe(30 * S);
    expect(nextPollInterval({ ...base, cutover: true, elapsed: 30 * M, predicted: -1 * M })).toBe(1 * M);
  });

  it('outside a cutover, is late by at most 30 s or 5 % of the wait (aiming 10 % inside it), within every..max', () => {
    const slow = { ...base, max: 1e9, cutover: false };
    expect(nextPollInterval({ ...slow, elapsed: 0 })).toBe(27 * S);
    expect(nextPollInterval({ ...slow, elapsed: 20 * M })).toBe(54 * S);
    expect(nextPollInterval({ ...slow, elapsed: 8 * 60 * M })).toBeCloseTo(21.6 * M);
    // The runbook's max still caps it; its every is still the fastest.
    expect(nextPollInterval({ ...base, cutover: false, elapsed: 8 * 60 * M })).toBe(1 * M);
    expect(nextPollInterval({ ...base, every: 1 * M, max: 5 * M, cutover: false })).toBe(1 * M);
  });

  it('outside a cutover, a prediction brings a poll forward but never past the allowance', () => {
    const slow = { ...base, max: 1e9, cutover: false, elapsed: 8 * 60 * M };
    expect(nextPollInterval({ ...slow, predicted: 4 * M })).toBe(2 * M);
    expect(nextPollInterval({ ...slow, predicted: 3 * 60 * M })).toBeCloseTo(21.6 * M);
  });

  it('polls every `every` while the probe says the change is near', () => {
    expect(nextPollInterval({ ...base, near: true, cutover: false, elapsed: 60 * M })).toBe(10 * S);
    expect(nextPollInterval({ ...base, near: true, cutover: true, predicted: 60 * M })).toBe(10 * S);
  });
});

describe('firstPollDelay', () => {
  it('in a cutover, waits until one `every` before the shortest usual duration; outside, until it, within the 30 s floor', () => {
    // A pause "completes any pending operations" first: usually 30 s or more.
    expect(firstPollDelay({ every: 10 * S, expectedMin: 30 * S, cutover: true })).toBe(20 * S);
    expect(firstPollDelay({ every: 10 * S, expectedMin: 0, cutover: true })).toBe(0);
    expect(firstPollDelay({ every: 10 * S, expectedMin: 20 * S, cutover: false })).toBe(20 * S);
    // Not 10 % inside the floor, as later polls: what usually takes 30 s is not there at 27 s (a pause settling).
    expect(firstPollDelay({ every: 10 * S, expectedMin: 30 * S, cutover: false })).toBe(30 * S);
    // A new database usually takes minutes; outside a cutover the first poll still comes within 30 s.
    expect(firstPollDelay({ every: 5 * S, expectedMin: 5 * M, cutover: false })).toBe(30 * S);
    expect(firstPollDelay({ every: 10 * S, expectedMin: 0, cutover: false })).toBe(0);
  });
});

describe('budgetFloor', () => {
  it('spreads the polling budget over the runs waiting', () => {
    expect(budgetFloor(30, 1800)).toBe(1 * M);
    expect(budgetFloor(0, 1800)).toBe(2 * S);
  });
});
