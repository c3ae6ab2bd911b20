import type { AddressInfo } from 'node:net';
import { createServer } from './http/server.js';
import { findApp } from './world/apps.js';
import { abortNewestLoad } from './world/abort.js';
import { authorizeSalesforce } from './world/connections.js';
import type { Faults, HostKind } from './world/faults.js';
import type { NoticeBoard } from './world/notices.js';
import type { RateLimitOptions } from './world/rate-limit.js';
import type { RequestLogEntry } from './world/request-log.js';
import type { SeedName } from './world/seed.js';
import { World } from './world/world.js';

export type { Faults, HostKind, RequestLogEntry, NoticeBoard, SeedName, RateLimitOptions };
export { World };
export type { Notice, AnnounceInput, IncidentInput } from './world/notices.js';

export interface SimulatedHerokuOptions {
  /** default 0 (ephemeral) */
  port?: number;
  /** default 127.0.0.1 */
  host?: string;
  /** the one valid API token; default 'sandbox-token' */
  token?: string;
  /** simulated ms per real ms; 3600 makes a simulated hour pass each real second. Default 1. */
  timeScale?: number;
  /** simulated time at start, for tests that depend on the date; the wall clock by default */
  startAt?: number;
  /** default 'default' */
  seed?: SeedName;
  /** Heroku's token bucket; default 4500 / 75 per minute (refilled in real time) */
  rateLimit?: RateLimitOptions;
  faults?: Partial<Faults>;
}

export interface SimulatedHeroku {
  /** base URL of every API: Platform, data, Connect discovery, Heroku status; Trust is `${url}/v1` */
  url: string;
  token: string;
  /** the request log (a copy), oldest first */
  requests(): RequestLogEntry[];
  clearRequests(): void;
  setFaults(f: Partial<Faults>): void;
  /** scriptable status notices: announce / reschedule / start / complete / cancel, mirrored on Trust */
  notices: NoticeBoard;
  /** direct read/write access for tests, e.g. world.apps.get('acme-prod'); world.advance(ms) jumps time */
  world: World;
  /** completes the Salesforce login of the app's connections (NEED_AUTHENTICATION -> IDLE) */
  authorizeSalesforce(app: string): void;
  /** plays the person who aborts a mapping's load in the Heroku Connect dashboard of the app's newest connection loading it */
  abortMappingLoad(app: string, object: string): void;
  /** back to a fresh world: seed scenario, new clock, no faults, full rate limit, empty log */
  reset(seed?: SeedName): void;
  close(): Promise<void>;
}

/** Starts the simulated Heroku. The scenario is described in world/seed.ts, its timings in world/timings.ts. */
export async function startSimulatedHeroku(opts: SimulatedHerokuOptions = {}): Promise<SimulatedHeroku> {
  const world = new World({ timeScale: opts.timeScale, startAt: opts.startAt, seed: opts.seed, rateLimit: opts.rateLimit, faults: opts.faults });
  const token = opts.token ?? 'sandbox-token';
  let url = '';
  const server = createServer({ world, token, baseUrl: () => url });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve);
  });
  const address = server.address() as AddressInfo;
  url = `http://${address.address}:${address.port}`;
  return {
    url,
    token,
    requests: () => world.requestLog.list(),
    clearRequests: () => world.requestLog.clear(),
    setFaults: (f) => void world.faults.set(f),
    notices: world.notices,
    world,
    authorizeSalesforce: (app) => void authorizeSalesforce(world, findApp(world, app)),
    abortMappingLoad: (app, object) => abortNewestLoad(world, findApp(world, app), object),
    reset: (seed) => world.reset(seed),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
