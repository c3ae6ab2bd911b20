import { describe, expect, it } from '@jest/globals';
import { clockNote, duration, runTime, slackTime } from '../../../src/bot/views/format.js';

describe('one clock for a run', () => {
  const createdAt = '2026-12-05T12:00:00.000Z';

  it('shows wall-clock moments as Slack dates when the run is not simulated', () => {
    const run: { createdAt: string; timeScale?: number } = { createdAt };
    expect(clockNote(run)).toBeNull();
    expect(runTime(run, '2026-12-05T12:00:24.000Z')).toBe(slackTime('2026-12-05T12:00:24.000Z'));
  });

  it('shows moments of a simulated run as simulated time since the request, the clock its durations use', () => {
    // 24 real seconds at 600× are 4 simulated hours: "open until +4h 0m" beside "stays open 4h".
    const run = { createdAt, timeScale: 600 };
    expect(runTime(run, '2026-12-05T12:00:24.000Z')).toBe(`+${duration(4 * 3_600_000)}`);
    expect(runTime(run, new Date('2026-12-05T12:00:00.500Z'), 'time')).toBe('+5m');
    expect(runTime(run, createdAt)).toBe('+0s');
    expect(clockNote(run)).toContain('times as +elapsed since the request');
  });
});
