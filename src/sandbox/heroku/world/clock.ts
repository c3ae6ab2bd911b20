/**
 * Simulated time: `now = start + real elapsed × timeScale + advanced`. Nothing runs in the
 * background: whatever changes with time is computed from `now()` when a request reads it.
 */
export class SimClock {
  #realStart = Date.now();
  #start: number;
  #advanced = 0;
  #pinned: number | undefined;

  /** `startAt`: simulated time at start (tests that depend on the date); the wall clock by default. */
  constructor(
    readonly timeScale = 1,
    private readonly startAt?: number,
  ) {
    this.#start = startAt ?? this.#realStart;
  }

  now(): number {
    return this.#pinned ?? this.#start + (Date.now() - this.#realStart) * this.timeScale + this.#advanced;
  }

  /** Simulated time when the clock (re)started. */
  get startedAt(): number {
    return this.#start;
  }

  iso(at = this.now()): string {
    return new Date(at).toISOString();
  }

  /** Jumps simulated time forward (tests and the admin endpoint use it instead of waiting). */
  advance(ms: number): void {
    this.#advanced += ms;
  }

  /** Runs `fn` with now() fixed at `at`, so that work settled late still stamps its own time. */
  pinnedAt<T>(at: number, fn: () => T): T {
    const outer = this.#pinned;
    this.#pinned = at;
    try {
      return fn();
    } finally {
      this.#pinned = outer;
    }
  }

  restart(): void {
    this.#realStart = Date.now();
    this.#start = this.startAt ?? this.#realStart;
    this.#advanced = 0;
  }
}
