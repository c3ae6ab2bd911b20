import { describe, expect, it } from '@jest/globals';
import { stepLine } from '../../../src/bot/views/plan-card.js';

describe('plan card step lines', () => {
  it('shows runbook titles as written, with what each kind adds', () => {
    expect(stepLine({ idx: 9, title: 'Wait until the upgrade is prepared', kind: 'wait', calls: [], every: '5m', timeout: '30h' })).toBe(
      '*10.* Wait until the upgrade is prepared (checks every 5m, gives up after 30h)',
    );
    expect(stepLine({ idx: 10, title: 'Approve the cutover', kind: 'approval', calls: [] })).toBe('*11.* :closed_lock_with_key: Approve the cutover');
    expect(stepLine({ idx: 0, title: 'The database is Standard tier or higher', kind: 'check', calls: [] })).toBe(
      '*1.* Check: The database is Standard tier or higher',
    );
  });

  it('says when a conditional step runs, cites the document step, and shows the calls that change something', () => {
    expect(
      stepLine({
        idx: 22,
        title: 'Promote the new database to DATABASE_URL (pg:promote)',
        kind: 'action',
        calls: ['GET /apps/{app}/addon-attachments', 'POST /addon-attachments {"addon", "app", "name", "confirm"}'],
        when: 'Heroku Connect uses DATABASE_URL',
        cites: 'step 5',
      }),
    ).toBe(
      '*23.* _step 5_ · Promote the new database to DATABASE_URL (pg:promote) _(only when Heroku Connect uses DATABASE_URL)_ → `POST /addon-attachments {"addon", "app", "name", "confirm"}`',
    );
  });
});
