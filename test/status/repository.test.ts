import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { MaintenanceNotice } from '../../src/status/notice.js';
import { NoticeRepository } from '../../src/status/repository.js';
import { createTestStore, storeDialects, type TestStore } from '../support/backends.js';

const dialects = await storeDialects();
const now = new Date('2026-07-01T12:00:00Z');
const notice: MaintenanceNotice = {
  id: 'trust:20800001',
  source: 'trust',
  title: 'Heroku Connect maintenance',
  state: 'scheduled',
  start: '2026-07-15T17:00:00.000Z',
  end: '2026-07-15T17:45:00.000Z',
  regions: ['NA'],
  confidence: 'high',
  link: 'https://status.salesforce.com/maintenances/20800001',
  text: 'Heroku Connect maintenance',
};

describe.each(dialects)('notice repository on %s', (dialect) => {
  let t: TestStore;
  let repository: NoticeRepository;
  beforeAll(async () => {
    t = await createTestStore(dialect);
    repository = new NoticeRepository(t.store);
  });
  afterAll(async () => {
    await t.dispose();
  });

  it('finds a notice by any id the sources know it by, after a restart', async () => {
    await repository.save(notice, '20800001:1', ['trust:20800001'], now);
    // Heroku's item turns up later and carries the same Trust maintenance: still the same notice.
    const heroku = { ...notice, source: 'heroku' as const, title: '[Virginia] Heroku Connect maintenance' };
    await repository.save(heroku, '3001:7001', ['heroku:3001', 'trust:20800001'], now);
    const again = new NoticeRepository(await t.reopen());
    expect(await again.find(['heroku:3001'])).toEqual({ notice: heroku, updateKey: '3001:7001' });
    expect(await again.find(['trust:20800001'])).toEqual({ notice: heroku, updateKey: '3001:7001' });
    expect(await again.find(['heroku:9999'])).toBeUndefined();
    const rows = await t.store.db.selectFrom('maintenance_notices').select(['id', 'state', 'starts_at', 'first_seen_at']).execute();
    expect(rows).toEqual([{ id: 'trust:20800001', state: 'scheduled', starts_at: '2026-07-15T17:00:00.000Z', first_seen_at: now.toISOString() }]);
  });

  it('lets exactly one of two replicas claim a message, and takes a claim back', async () => {
    const other = new NoticeRepository(await t.reopen());
    const claims = await Promise.all([repository.claim(notice.id, 'C01', 'announce', now), other.claim(notice.id, 'C01', 'announce', now)]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await repository.claim(notice.id, 'C02', 'announce', now)).toBe(true);
    await repository.release(notice.id, 'C02', 'announce');
    expect(await other.claim(notice.id, 'C02', 'announce', now)).toBe(true);
  });

  it('remembers the root message of a notice per channel', async () => {
    expect(await repository.rootMessage(notice.id, 'C01')).toBeUndefined();
    await repository.saveRootMessage(notice.id, { channel: 'C01', ts: '1700000000.000001' }, now);
    expect(await repository.rootMessage(notice.id, 'C01')).toEqual({ channel: 'C01', ts: '1700000000.000001' });
    expect(await repository.rootMessage(notice.id, 'C02')).toBeUndefined();
  });
});
