import type { HostKind } from './faults.js';

export interface RequestLogEntry {
  /** simulated time of the request */
  at: string;
  host: HostKind;
  method: string;
  path: string;
  /** the query string without `?` */
  query: string;
  status: number;
  /** the request body, parsed */
  body?: unknown;
}

/** Every API request served (admin requests excluded), oldest first. */
export class RequestLog {
  #entries: RequestLogEntry[] = [];

  add(entry: RequestLogEntry): void {
    this.#entries.push(entry);
  }

  list(): RequestLogEntry[] {
    return [...this.#entries];
  }

  clear(): void {
    this.#entries = [];
  }
}
