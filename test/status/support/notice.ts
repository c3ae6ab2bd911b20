import type { MaintenanceNotice } from '../../../src/status/notice.js';

/** A parsed Connect maintenance notice, as the watcher hands it to the notifier. */
export function connectNotice(overrides: Partial<MaintenanceNotice> = {}): MaintenanceNotice {
  return {
    id: 'heroku:3001',
    source: 'heroku',
    title: '[Virginia] Heroku Connect maintenance on Wednesday, July 15 at 17:00 UTC',
    state: 'scheduled',
    start: '2026-07-15T17:00:00.000Z',
    end: '2026-07-15T17:45:00.000Z',
    regions: ['Virginia'],
    confidence: 'high',
    link: 'https://status.heroku.com/incidents/3001',
    text: 'On Wednesday, July 15, 2026, at 17:00 UTC ...',
    ...overrides,
  };
}
