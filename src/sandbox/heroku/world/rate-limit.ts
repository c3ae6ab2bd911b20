export interface RateLimitOptions {
  capacity: number;
  refillPerMinute: number;
}

export const HEROKU_RATE_LIMIT: RateLimitOptions = { capacity: 4500, refillPerMinute: 75 };

/**
 * Heroku's token bucket, shared by the Platform API and the data API for one token: at most
 * `capacity` requests banked, refilled continuously. It refills in wall-clock time (the time scale
 * speeds Heroku's behaviour, not the client's request budget).
 */
export class RateLimit {
  #tokens: number;
  #at = Date.now();

  constructor(readonly options: RateLimitOptions) {
    this.#tokens = options.capacity;
  }

  remaining(): number {
    this.#refill();
    return Math.floor(this.#tokens);
  }

  /** Spends one request; false when the bucket is empty (429). */
  take(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  reset(): void {
    this.#tokens = this.options.capacity;
    this.#at = Date.now();
  }

  #refill(): void {
    const now = Date.now();
    this.#tokens = Math.min(this.options.capacity, this.#tokens + ((now - this.#at) / 60_000) * this.options.refillPerMinute);
    this.#at = now;
  }
}
