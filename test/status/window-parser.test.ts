import { describe, expect, it } from '@jest/globals';
import { parseRevisedEnd, parseWindow } from '../../src/status/window-parser.js';

const parse = (text: string, postedAt: string) => {
  const w = parseWindow(text, { postedAt: new Date(postedAt) });
  return { start: w.start?.toISOString() ?? null, end: w.end?.toISOString() ?? null, confidence: w.confidence };
};

describe('the reference examples (section 8.2)', () => {
  it.each([
    [
      '1. 2018 [1587], no comma after the weekday, no year',
      '(Oregon) (Virginia) Heroku Connect Service Update on Wednesday July 18 at 12:00 UTC (08:00 EDT)',
      '2018-07-03T16:00:00Z',
      '2018-07-18T12:00:00.000Z',
      '2018-07-18T12:45:00.000Z',
    ],
    [
      '2. 2020 [2107], 12-hour local time in parentheses',
      '[Virginia] Heroku Connect maintenance on Wednesday, September 23 at 18:30 UTC (2:30 PM EDT)',
      '2020-09-09T16:00:00Z',
      '2020-09-23T18:30:00.000Z',
      '2020-09-23T19:15:00.000Z',
    ],
    [
      '3. 2020 [2120] title',
      'Data Service Update on Monday, November 9 at 19:00 UTC (14:00 EST)',
      '2020-10-30T00:55:34.418Z',
      '2020-11-09T19:00:00.000Z',
      '2020-11-09T19:45:00.000Z',
    ],
    [
      '4. 2020 [2120] announcement: "until 19:30 UTC (30 minutes)"',
      'On Monday, November 9, 2020, at 19:00 UTC (14:00 EST), and continuing until 19:30 UTC (30 minutes), Heroku will be performing a service update to the Heroku Data services.',
      '2020-10-30T00:55:34.418Z',
      '2020-11-09T19:00:00.000Z',
      '2020-11-09T19:30:00.000Z',
    ],
    [
      '5. 2022 [2418], ordinal, local date in parentheses on the day before',
      'Heroku Connect (Virginia) Urgent Maintenance on Wednesday, April 27th at 03:00 UTC (Tuesday, April 26th at 23:00 EDT)',
      '2022-04-25T20:00:00Z',
      '2022-04-27T03:00:00.000Z',
      '2022-04-27T03:45:00.000Z',
    ],
    [
      '6. 2023 [2534], "starting at" after the date',
      'Heroku Connect add-ons in Virginia and Virginia-4 regions will undergo a service update on May 09, 2023, starting at 11:30 UTC.',
      '2023-04-25T12:00:00Z',
      '2023-05-09T11:30:00.000Z',
      '2023-05-09T12:15:00.000Z',
    ],
    [
      '7. 2024 [2718], the UTC date differs from the US-Eastern one',
      'Heroku Maintenance scheduled on Thursday, October 31, 2024 at 01:00 UTC (Wednesday, October 30, 21:00 EDT)',
      '2024-10-16T12:00:00Z',
      '2024-10-31T01:00:00.000Z',
      '2024-10-31T01:45:00.000Z',
    ],
    [
      '8. 2026 [2959], "(3 hours)"',
      'On July 15, 2026, starting at 17:00 UTC ... (3 hours) ...',
      '2026-07-15T17:00:24.339Z',
      '2026-07-15T17:00:00.000Z',
      '2026-07-15T20:00:00.000Z',
    ],
  ])('%s', (_label, text, postedAt, start, end) => {
    expect(parse(text, postedAt)).toEqual({ start, end, confidence: 'high' });
  });
});

describe('forms of date and time', () => {
  const posted = '2026-05-20T09:00:00Z';

  it.each([
    ['an ordinal and "1:00AM UTC"', 'Maintenance on June 3rd at 1:00AM UTC', '2026-06-03T01:00:00.000Z', '2026-06-03T01:45:00.000Z'],
    ['"2 am to 4:00 am UTC"', 'Maintenance on June 3rd from 2 am to 4:00 am UTC', '2026-06-03T02:00:00.000Z', '2026-06-03T04:00:00.000Z'],
    ['"between 17:00 and 19:00 UTC"', 'Maintenance on June 3 between 17:00 and 19:00 UTC', '2026-06-03T17:00:00.000Z', '2026-06-03T19:00:00.000Z'],
    ['"starting at ... until ..."', 'On June 3, starting at 17:00 UTC and continuing until 17:30 UTC', '2026-06-03T17:00:00.000Z', '2026-06-03T17:30:00.000Z'],
    ['"(90 minutes)"', 'On Wednesday, June 3 at 17:00 UTC (90 minutes)', '2026-06-03T17:00:00.000Z', '2026-06-03T18:30:00.000Z'],
    ['"for 2 hours"', 'Maintenance on June 3 at 17:00 UTC for 2 hours', '2026-06-03T17:00:00.000Z', '2026-06-03T19:00:00.000Z'],
    ['an end past midnight', 'Maintenance on June 3 at 23:30 UTC until 00:15 UTC', '2026-06-03T23:30:00.000Z', '2026-06-04T00:15:00.000Z'],
    ['GMT', 'Maintenance on June 3 at 17:00 GMT', '2026-06-03T17:00:00.000Z', '2026-06-03T17:45:00.000Z'],
    ['a zone stated outside parentheses is converted', 'Maintenance on June 3 at 13:00 EDT', '2026-06-03T17:00:00.000Z', '2026-06-03T17:45:00.000Z'],
  ])('reads %s', (_label, text, start, end) => {
    expect(parse(text, posted)).toEqual({ start, end, confidence: 'high' });
  });

  it('infers the year from when the notice was posted, across New Year', () => {
    expect(parse('Maintenance on January 5 at 10:00 UTC', '2026-12-20T00:00:00Z').start).toBe('2027-01-05T10:00:00.000Z');
    // Posted a few days after the work (urgent or retroactive notices): the recent date, not next year's.
    expect(parse('Maintenance on December 30 at 10:00 UTC', '2027-01-03T00:00:00Z').start).toBe('2026-12-30T10:00:00.000Z');
  });

  it('checks a stated weekday against the date instead of hunting for a year it fits', () => {
    // July 15 is a Wednesday in 2026 and a Thursday in 2027: a notice posted in June 2026 means this July.
    expect(parse('Maintenance on Thursday, July 15 at 17:00 UTC', '2026-06-01T00:00:00Z')).toMatchObject({
      start: '2026-07-15T17:00:00.000Z',
      confidence: 'low',
    });
  });

  it('takes the new date of a reschedule, not the original one', () => {
    const text = 'The maintenance originally scheduled for July 15 at 17:00 UTC has been rescheduled to Thursday, July 16 at 18:00 UTC.';
    expect(parse(text, '2026-07-01T00:00:00Z')).toEqual({
      start: '2026-07-16T18:00:00.000Z',
      end: '2026-07-16T18:45:00.000Z',
      confidence: 'high',
    });
  });
});

describe('honesty', () => {
  const posted = '2026-05-20T09:00:00Z';

  it.each([
    ['no date at all', 'Maintenance is complete'],
    ['only a time', 'We are estimating that the update will complete around 19:45 UTC.'],
    ['a time relative to when it was read', 'The maintenance starts in 2 hours.'],
    ['an empty text', ''],
  ])('says none, with no times, for %s', (_label, text) => {
    expect(parse(text, posted)).toEqual({ start: null, end: null, confidence: 'none' });
  });

  it('is low when no time zone is stated (UTC assumed)', () => {
    expect(parse('Maintenance on June 3 at 17:00', posted)).toEqual({
      start: '2026-06-03T17:00:00.000Z',
      end: '2026-06-03T17:45:00.000Z',
      confidence: 'low',
    });
  });

  it('is low when the weekday does not match the date', () => {
    // July 15, 2026 is a Wednesday, and no nearby year makes it a Tuesday.
    expect(parse('Heroku Connect maintenance on Tuesday, July 15, 2026 at 17:00 UTC', posted).confidence).toBe('low');
  });

  it('is low when the stated end and the stated duration disagree, keeping the end', () => {
    expect(parse('Maintenance on June 3 at 17:00 UTC until 17:30 UTC (2 hours)', posted)).toEqual({
      start: '2026-06-03T17:00:00.000Z',
      end: '2026-06-03T17:30:00.000Z',
      confidence: 'low',
    });
  });

  it('gives a date without a time as the whole day, with low confidence', () => {
    expect(parse('Heroku Connect maintenance on June 3', posted)).toEqual({
      start: '2026-06-03T00:00:00.000Z',
      end: '2026-06-04T00:00:00.000Z',
      confidence: 'low',
    });
  });
});

describe('a revised end', () => {
  const start = new Date('2020-11-09T19:00:00Z');

  it('reads "will complete around 19:45 UTC" from the 2120 overrun update, ignoring the EST time', () => {
    const text =
      "The service update is taking a bit longer than we initially expected. We're estimating that the update will complete around 19:45 UTC (2:45 EST).";
    expect(parseRevisedEnd(text, start)?.toISOString()).toBe('2020-11-09T19:45:00.000Z');
  });

  it('finds none in an update that names no end', () => {
    expect(parseRevisedEnd('The scheduled service update is now underway.', start)).toBeNull();
    expect(parseRevisedEnd('We expect to finish around 19:45.', start)).toBeNull(); // no zone stated
  });
});
