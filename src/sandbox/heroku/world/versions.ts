/**
 * Heroku's Postgres version support policy as the simulated Heroku applies it (Dev Center changelog
 * 2722, "Updated Heroku Postgres version support policy", effective 14 November 2023): on the
 * deprecation date customers are warned; three months later no new database can be provisioned on
 * the version (forks and followers still can); five months later Heroku schedules forced upgrades;
 * the version's end of life is six months after its deprecation.
 *
 * The seeded world deprecates nothing: the sandbox ages a version when someone wants to see it.
 */

const months = (at: number, n: number): number => {
  const date = new Date(at);
  date.setUTCMonth(date.getUTCMonth() + n);
  return date.getTime();
};

export interface Deprecation {
  major: number;
  deprecatedAt: number;
  provisioningClosesAt: number;
  forcedUpgradesFrom: number;
  endOfLife: number;
}

export class VersionSupport {
  #deprecated = new Map<number, number>();

  /** Deprecates a major version as of `at` (simulated ms). */
  deprecate(major: number, at: number): Deprecation {
    this.#deprecated.set(major, at);
    return this.deprecation(major) as Deprecation;
  }

  deprecation(major: number): Deprecation | undefined {
    const at = this.#deprecated.get(major);
    if (at === undefined) return undefined;
    return { major, deprecatedAt: at, provisioningClosesAt: months(at, 3), forcedUpgradesFrom: months(at, 5), endOfLife: months(at, 6) };
  }

  all(): Deprecation[] {
    return [...this.#deprecated.keys()].sort((a, b) => a - b).map((major) => this.deprecation(major) as Deprecation);
  }

  /** Whether a new database (not a fork or follower) may still be created on this version. */
  provisioningOpen(major: number, now: number): boolean {
    const deprecation = this.deprecation(major);
    return !deprecation || now < deprecation.provisioningClosesAt;
  }

  /**
   * The `Warning` row `pg:info` shows for a database on a deprecated version. The row exists in the
   * data API (docs/reference/heroku-platform-and-postgres-api.md §7.1); its wording for deprecations is not known, so this one is the
   * simulator's: it names the version and the date forced upgrades start.
   */
  warning(major: number, now: number): string | undefined {
    const deprecation = this.deprecation(major);
    if (!deprecation || now < deprecation.deprecatedAt) return undefined;
    const day = new Date(deprecation.forcedUpgradesFrom).toISOString().slice(0, 10);
    return `Postgres ${major} is deprecated. Heroku will upgrade this database by force on or after ${day}; upgrade it before then with heroku pg:upgrade.`;
  }

  reset(): void {
    this.#deprecated.clear();
  }
}
