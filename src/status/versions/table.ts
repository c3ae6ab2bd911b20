/**
 * Heroku Postgres major versions: when Heroku deprecates each and when it upgrades databases on it
 * by force, with the source of every date. One table, read by the version radar; Heroku's own
 * `Warning` row in `pg:info` for a database wins over it when the two differ.
 *
 * The policy (Dev Center changelog 2722, "Updated Heroku Postgres version support policy",
 * effective 14 November 2023) dates everything from the deprecation: provisioning stops three
 * months after it, forced upgrades are scheduled five months after it, and the end of life is six
 * months after it. From 13 on, a deprecation date here is the stated end of life less six months and
 * the forced-upgrade date the end of life less one month. Where Heroku states only a quarter
 * ("Q3 2026"), its first day is used, so warnings come early rather than late.
 */

export const SOURCES = {
  /** "Heroku Postgres Version Support", edition of October 29, 2024: the end-of-life table for 11 to 16. */
  versionSupport2024: 'https://devcenter.heroku.com/articles/heroku-postgres-version-support (last updated October 29, 2024)',
  /** The same article, edition of May 03, 2023: the end-of-life dates of 9.6 and 10. */
  versionSupport2023: 'https://devcenter.heroku.com/articles/heroku-postgres-version-support (last updated May 03, 2023)',
  /** The support policy: deprecation, then provisioning closed at 3 months, forced upgrades at 5, end of life at 6. */
  policy: 'https://devcenter.heroku.com/changelog-items/2722 (effective 14 November 2023)',
  /** "Upgrading the Version of a Heroku Postgres Database", October 22, 2025: "The most recent major Postgres version supported by Heroku is 17." */
  upgrading2025: 'https://devcenter.heroku.com/articles/upgrading-heroku-postgres-databases (last updated October 22, 2025)',
} as const;

export interface VersionSupport {
  /** `15`, `9.6` */
  major: string;
  /** Heroku's end of life as stated (`October 29, 2024`, `Q3 2026`); null when no source states one. */
  endOfLifeStated: string | null;
  /** The end of life as a day (the first day of a stated quarter). */
  endOfLife: string | null;
  /** When Heroku deprecated it (warned customers). */
  deprecated: string | null;
  /** From this day Heroku schedules forced upgrades of databases still on it. */
  forcedUpgradesFrom: string | null;
  /** True when a date comes from a quarter rather than a stated day. */
  approximate: boolean;
  sources: readonly string[];
}

export const POSTGRES_VERSIONS: readonly VersionSupport[] = [
  // Before the 2023 policy: "The deprecation process ... starts 1 year before its EOL date", and
  // databases on deprecated versions "are subject to forced upgrade attempts" (2023 edition).
  { major: '9.6', endOfLifeStated: 'November 11, 2021', endOfLife: '2021-11-11', deprecated: '2020-11-11', forcedUpgradesFrom: '2021-11-11', approximate: false, sources: [SOURCES.versionSupport2023] },
  { major: '10', endOfLifeStated: 'November 10, 2022', endOfLife: '2022-11-10', deprecated: '2021-11-10', forcedUpgradesFrom: '2022-11-10', approximate: false, sources: [SOURCES.versionSupport2023] },
  { major: '11', endOfLifeStated: 'November 9, 2023', endOfLife: '2023-11-09', deprecated: '2022-11-09', forcedUpgradesFrom: '2023-11-09', approximate: false, sources: [SOURCES.versionSupport2024, SOURCES.versionSupport2023] },
  // The end of life moved from November 14, 2024 (2023 edition) to May 30, 2024: the 2023 rule is assumed.
  { major: '12', endOfLifeStated: 'May 30, 2024', endOfLife: '2024-05-30', deprecated: '2023-05-30', forcedUpgradesFrom: '2024-05-30', approximate: true, sources: [SOURCES.versionSupport2024, SOURCES.versionSupport2023] },
  // The first version under the policy ("This policy change will start with the deprecation of Heroku PostgreSQL 13").
  { major: '13', endOfLifeStated: 'October 29, 2024', endOfLife: '2024-10-29', deprecated: '2024-04-29', forcedUpgradesFrom: '2024-09-29', approximate: false, sources: [SOURCES.versionSupport2024, SOURCES.policy] },
  { major: '14', endOfLifeStated: 'Q3 2025', endOfLife: '2025-07-01', deprecated: '2025-01-01', forcedUpgradesFrom: '2025-06-01', approximate: true, sources: [SOURCES.versionSupport2024, SOURCES.policy] },
  { major: '15', endOfLifeStated: 'Q3 2026', endOfLife: '2026-07-01', deprecated: '2026-01-01', forcedUpgradesFrom: '2026-06-01', approximate: true, sources: [SOURCES.versionSupport2024, SOURCES.policy] },
  { major: '16', endOfLifeStated: 'Q3 2027', endOfLife: '2027-07-01', deprecated: '2027-01-01', forcedUpgradesFrom: '2027-06-01', approximate: true, sources: [SOURCES.versionSupport2024, SOURCES.policy] },
  { major: '17', endOfLifeStated: null, endOfLife: null, deprecated: null, forcedUpgradesFrom: null, approximate: false, sources: [SOURCES.upgrading2025] },
];

/** `15.12` → `15`; `9.6.24` → `9.6`; undefined when it is not a version. */
export function majorOf(version: string | null | undefined): string | undefined {
  const match = /^\s*(\d+)(?:\.(\d+))?/.exec(version ?? '');
  if (!match) return undefined;
  const first = Number(match[1]);
  return first < 10 && match[2] !== undefined ? `${first}.${match[2]}` : String(first);
}

export function supportOf(major: string, table: readonly VersionSupport[] = POSTGRES_VERSIONS): VersionSupport | undefined {
  return table.find((row) => row.major === major);
}

/** Whether Heroku had deprecated the version by `now`, as far as the table knows. */
export function deprecatedBy(row: VersionSupport, now: Date): boolean {
  return row.deprecated !== null && Date.parse(row.deprecated) <= now.getTime();
}

/** The newest version the table knows that is not deprecated by `now`: what a deprecated database upgrades to. */
export function newestSupported(now: Date, table: readonly VersionSupport[] = POSTGRES_VERSIONS): string | undefined {
  return [...table].reverse().find((row) => !deprecatedBy(row, now))?.major;
}
