import { describe, expect, it } from '@jest/globals';
import { regionsIn, regionsMatch, regionsOfTags, regionsOfTrustInstances } from '../../src/status/regions.js';

describe('regions', () => {
  it('finds region names in the order written, each once, as Heroku capitalises them', () => {
    expect(regionsIn('(oregon) (VIRGINIA) and Virginia-4, then Oregon again')).toEqual(['Oregon', 'Virginia', 'Virginia-4']);
    expect(regionsIn('Dublin Frankfurt London Tokyo Sydney Montreal Mumbai Singapore')).toHaveLength(8);
    expect(regionsIn('Heroku Platform Maintenance')).toEqual([]);
  });

  it('keeps only area tags from item tags, and reads Trust instance keys', () => {
    expect(regionsOfTags(['EMEA', 'na', 'Postgres'])).toEqual(['EMEA', 'NA']);
    expect(regionsOfTrustInstances(['Heroku North America', 'Heroku London', 'Heroku Asia', 'Heroku North America'])).toEqual(['NA', 'London', 'APAC']);
    expect(regionsOfTrustInstances(['Heroku Europe'])).toEqual(['EMEA']);
  });

  it.each([
    [['Virginia'], ['virginia'], true],
    [['Virginia-4'], ['Virginia'], true],
    [['Oregon'], ['Virginia'], false],
    [['NA'], ['Oregon'], true],
    [['EMEA'], ['Oregon'], false],
    [['Dublin'], ['eu'], true],
    [['Virginia'], ['us'], true],
    [['Tokyo'], ['APAC'], true],
    // Nothing named on either side: tell everyone rather than miss a window.
    [[], ['Virginia'], true],
    [['Sydney'], [], true],
  ])('notice in %j concerns a team caring about %j: %s', (notice, wanted, expected) => {
    expect(regionsMatch(notice, wanted)).toBe(expected);
  });
});
