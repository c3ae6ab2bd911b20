import { seededRandom } from './ids.js';

export type HostKind = 'platform' | 'data' | 'connect' | 'status';

export interface Faults {
  /** fraction (0..1) of requests to `errorHosts` that fail with 503 */
  errorRate: number;
  errorHosts: HostKind[];
  /** real milliseconds added before every response */
  latencyMs: number;
  /** the next N Platform/data API requests get 429 */
  rateLimitBurst: number;
  /** apps whose Heroku Connect connection stays in POLLING_DB_CHANGES */
  stuckPolling: string[];
  /**
   * The next `count` requests whose method is `method` and whose path matches `path` (a regular
   * expression) take effect and are logged, then get no answer: the connection stays open until
   * the client gives up or the server closes. A lost response, as when the network or a process
   * dies mid-request: the caller cannot tell whether the mutation happened.
   */
  hang: { method: string; path: string; count: number } | null;
}

const NO_FAULTS: Faults = {
  errorRate: 0,
  errorHosts: ['platform', 'data', 'connect', 'status'],
  latencyMs: 0,
  rateLimitBurst: 0,
  stuckPolling: [],
  hang: null,
};

/** Injected trouble. Draws come from a seeded generator, so a run with faults replays the same way. */
export class FaultState {
  current: Faults;
  #random = seededRandom(7);

  constructor(private readonly initial: Partial<Faults> = {}) {
    this.current = { ...NO_FAULTS, ...initial };
  }

  set(patch: Partial<Faults>): Faults {
    this.current = { ...this.current, ...patch };
    return this.current;
  }

  /** Whether this request fails with a 5xx. */
  failsNow(host: HostKind): boolean {
    return this.current.errorHosts.includes(host) && this.#random() < this.current.errorRate;
  }

  /** Spends one request of a 429 burst, if one is under way. */
  takeBurst(): boolean {
    if (this.current.rateLimitBurst <= 0) return false;
    this.current.rateLimitBurst -= 1;
    return true;
  }

  /** Whether this request's answer is lost (`hang`); spends one of its count. */
  hangsNow(method: string, path: string): boolean {
    const hang = this.current.hang;
    if (!hang || hang.count <= 0 || hang.method.toUpperCase() !== method.toUpperCase() || !new RegExp(hang.path).test(path)) return false;
    this.current = { ...this.current, hang: { ...hang, count: hang.count - 1 } };
    return true;
  }

  reset(): void {
    this.current = { ...NO_FAULTS, ...this.initial };
    this.#random = seededRandom(7);
  }
}
