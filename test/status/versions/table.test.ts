import { describe, expect, it } from '@jest/globals';
import { deprecatedBy, majorOf, newestSupported, POSTGRES_VERSIONS, SOURCES, supportOf } from '../../../src/status/versions/table.js';

const months = (day: string, n: number) => {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCMonth(date.getUTCMonth() + n);
  return date.toISOString().slice(0, 10);
};

describe('the Postgres version table', () => {
  it('cites a Heroku Dev Center source for every row', () => {
    for (const row of POSTGRES_VERSIONS) {
      expect(row.sources.length).toBeGreaterThan(0);
      for (const source of row.sources) expect(Object.values(SOURCES)).toContain(source);
    }
    for (const source of Object.values(SOURCES)) expect(source).toMatch(/^https:\/\/devcenter\.heroku\.com\/\S+ \((last updated|effective) [A-Z][a-z]+ \d{1,2},? \d{4}\)$|^https:\/\/devcenter\.heroku\.com\/\S+ \(effective \d{1,2} [A-Z][a-z]+ \d{4}\)$/);
  });

  it('dates the versions under the 2023 policy from their end of life: deprecated six months before, forced upgrades one month before', () => {
    for (const row of POSTGRES_VERSIONS.filter((r) => Number(r.major) >= 13 && r.endOfLife)) {
      expect(row.sources).toContain(SOURCES.policy);
      expect(months(row.deprecated!, 6)).toBe(row.endOfLife);
      expect(months(row.deprecated!, 5)).toBe(row.forcedUpgradesFrom);
    }
    // A quarter is taken from its first day, and said to be approximate.
    expect(supportOf('15')).toMatchObject({ endOfLifeStated: 'Q3 2026', endOfLife: '2026-07-01', approximate: true });
    expect(supportOf('13')).toMatchObject({ endOfLifeStated: 'October 29, 2024', endOfLife: '2024-10-29', approximate: false });
  });

  it('reads the major version of what pg:info prints', () => {
    expect(majorOf('15.12')).toBe('15');
    expect(majorOf('9.6.24')).toBe('9.6');
    expect(majorOf('17')).toBe('17');
    expect(majorOf('unknown')).toBeUndefined();
  });

  it('knows which versions are deprecated on a day, and the newest one to upgrade to', () => {
    const day = new Date('2026-12-04T00:00:00Z');
    expect(POSTGRES_VERSIONS.filter((r) => deprecatedBy(r, day)).map((r) => r.major)).toEqual(['9.6', '10', '11', '12', '13', '14', '15']);
    expect(newestSupported(day)).toBe('17');
  });
});
