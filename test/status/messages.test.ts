import { describe, expect, it } from '@jest/globals';
import { formatWindow, noticeSummary, replies } from '../../src/status/messages.js';
import { connectNotice } from './support/notice.js';

const notice = connectNotice({ text: 'This maintenance has been canceled.\r\nWe will announce a new window.' });

describe('messages', () => {
  it('writes the window in UTC, and says when it is unknown or uncertain', () => {
    expect(formatWindow(notice)).toBe('Wed 15 Jul 2026, 17:00–17:45 UTC');
    expect(formatWindow({ ...notice, end: '2026-07-16T00:15:00.000Z' })).toBe('Wed 15 Jul 2026 17:00 UTC – Thu 16 Jul 2026 00:15 UTC');
    expect(formatWindow({ ...notice, confidence: 'low' })).toBe('Wed 15 Jul 2026, 17:00–17:45 UTC (read with low confidence: check the notice)');
    expect(formatWindow({ start: null, end: null, confidence: 'none' })).toBe('time not stated (see the notice)');
  });

  it('sums the notice up for the root message', () => {
    expect(noticeSummary(notice)).toBe(
      'Scheduled: Heroku Connect maintenance (Virginia), Wed 15 Jul 2026, 17:00–17:45 UTC. All Heroku Connect sync and configuration ' +
        'stop during the window; it cannot be rescheduled. [Virginia] Heroku Connect maintenance on Wednesday, July 15 at 17:00 UTC ' +
        'https://status.heroku.com/incidents/3001',
    );
  });

  it('words the replies', () => {
    expect(replies.reminder(notice, 86_400_000)).toBe(
      'Reminder: Heroku Connect maintenance starts in 24 hours, Wed 15 Jul 2026, 17:00–17:45 UTC. Sync and configuration stop for the whole window.',
    );
    expect(replies.reminder(notice, 1_800_000)).toMatch(/starts in 30 minutes,/);
    expect(replies.reminder(notice, 259_200_000)).toMatch(/starts in 3 days,/);
    expect(replies.cancelled(notice)).toBe('This maintenance is cancelled: “This maintenance has been canceled.\nWe will announce a new window.”');
    expect(replies.rescheduled({ ...notice, start: '2026-07-16T18:00:00.000Z', end: '2026-07-16T18:45:00.000Z' }, notice)).toBe(
      'Rescheduled: Thu 16 Jul 2026, 18:00–18:45 UTC (was Wed 15 Jul 2026, 17:00–17:45 UTC).',
    );
    expect(replies.rescheduled({ ...notice, end: '2026-07-15T18:00:00.000Z' }, notice)).toBe(
      'The maintenance is now expected to end at 18:00 UTC (was 17:45 UTC).',
    );
  });
});
