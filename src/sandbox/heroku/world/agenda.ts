import type { SimClock } from './clock.js';

export interface Step {
  /** simulated ms after the previous step (or after now, for the first) */
  after: number;
  do: () => void;
}

interface Entry {
  at: number;
  seq: number;
  key: string;
  run: () => void;
}

/**
 * Timed transitions (an add-on finishing provisioning, a mapping finishing its reload) are entries
 * here. Nothing fires on its own: `settle()`, called before every request is served, runs the entries
 * whose time has come, in time order, each with the clock pinned at its own time.
 */
export class Agenda {
  #entries: Entry[] = [];
  #seq = 0;
  #settling = false;

  constructor(private readonly clock: SimClock) {}

  /** Schedules steps one after another; a plan under the same key (one per entity and concern) is replaced. */
  plan(key: string, steps: Step[]): void {
    this.cancel(key);
    let at = this.clock.now();
    for (const step of steps) {
      at += step.after;
      this.#entries.push({ at, seq: this.#seq++, key, run: step.do });
    }
    this.#entries.sort((a, b) => a.at - b.at || a.seq - b.seq);
  }

  cancel(key: string): void {
    this.#entries = this.#entries.filter((e) => e.key !== key);
  }

  /** Drops every plan of an entity (keys are `<entity id>:<concern>`), e.g. when it is destroyed. */
  forget(entityId: string): void {
    this.#entries = this.#entries.filter((e) => !e.key.startsWith(`${entityId}:`));
  }

  settle(): void {
    if (this.#settling) return;
    this.#settling = true;
    try {
      for (let next = this.#entries[0]; next && next.at <= this.clock.now(); next = this.#entries[0]) {
        this.#entries.shift();
        this.clock.pinnedAt(next.at, next.run);
      }
    } finally {
      this.#settling = false;
    }
  }

  clear(): void {
    this.#entries = [];
  }
}
