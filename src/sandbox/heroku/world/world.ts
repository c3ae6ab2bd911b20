import type { AddOn } from './addons.js';
import { Agenda } from './agenda.js';
import type { App } from './apps.js';
import type { Attachment } from './attachments.js';
import { SimClock } from './clock.js';
import type { Connection } from './connections.js';
import type { Database } from './databases.js';
import { FaultState, type Faults } from './faults.js';
import { Ids } from './ids.js';
import { NoticeBoard } from './notices.js';
import { HEROKU_RATE_LIMIT, RateLimit, type RateLimitOptions } from './rate-limit.js';
import { RequestLog } from './request-log.js';
import type { SalesforceOrg } from './salesforce.js';
import { seeds, type SeedName } from './seed.js';
import type { Transfer } from './transfers.js';
import { VersionSupport } from './versions.js';
import { WriteLedger } from './writers.js';

export interface WorldOptions {
  timeScale?: number;
  /** Simulated time at start (ms since the epoch); the wall clock by default. */
  startAt?: number;
  seed?: SeedName;
  rateLimit?: RateLimitOptions;
  faults?: Partial<Faults>;
}

/**
 * Everything the simulated Heroku knows. Collections are plain maps that tests may read and change;
 * reading one first settles the timed transitions that are due, so what you read is current.
 */
export class World {
  readonly clock: SimClock;
  readonly agenda: Agenda;
  readonly ids = new Ids();
  readonly faults: FaultState;
  readonly rateLimit: RateLimit;
  readonly requestLog = new RequestLog();
  /** Which database each writer wrote to, and from when: see writers.ts. */
  readonly writeLedger = new WriteLedger();
  readonly notices: NoticeBoard;
  /** Which Postgres versions Heroku has deprecated, and when. */
  readonly versions = new VersionSupport();
  #seed: SeedName;
  readonly #apps = new Map<string, App>();
  readonly #addons = new Map<string, AddOn>();
  readonly #attachments = new Map<string, Attachment>();
  readonly #databases = new Map<string, Database>();
  readonly #transfers = new Map<string, Transfer>();
  readonly #connections = new Map<string, Connection>();
  readonly #orgs = new Map<string, SalesforceOrg>();

  constructor(options: WorldOptions = {}) {
    this.clock = new SimClock(options.timeScale ?? 1, options.startAt);
    this.agenda = new Agenda(this.clock);
    this.faults = new FaultState(options.faults);
    this.rateLimit = new RateLimit(options.rateLimit ?? HEROKU_RATE_LIMIT);
    this.notices = new NoticeBoard(this.clock);
    this.#seed = options.seed ?? 'default';
    this.reset();
  }

  /** Runs the timed transitions whose time has come. */
  settle(): void {
    this.agenda.settle();
  }

  /** Jumps simulated time forward and settles what became due. */
  advance(ms: number): void {
    this.clock.advance(ms);
    this.settle();
  }

  /** apps by name */
  get apps(): Map<string, App> {
    return this.#settled(this.#apps);
  }

  /** add-ons by id */
  get addons(): Map<string, AddOn> {
    return this.#settled(this.#addons);
  }

  get attachments(): Map<string, Attachment> {
    return this.#settled(this.#attachments);
  }

  /** Postgres databases by add-on id */
  get databases(): Map<string, Database> {
    return this.#settled(this.#databases);
  }

  /** pg:copy transfers by uuid */
  get transfers(): Map<string, Transfer> {
    return this.#settled(this.#transfers);
  }

  /** Heroku Connect connections by id (mappings live inside) */
  get connections(): Map<string, Connection> {
    return this.#settled(this.#connections);
  }

  /** Salesforce orgs by organization id */
  get orgs(): Map<string, SalesforceOrg> {
    return this.#settled(this.#orgs);
  }

  /** Back to a fresh world: a new clock, the seed scenario, no faults, full rate limit, empty log. */
  reset(seed: SeedName = this.#seed): void {
    this.#seed = seed;
    for (const map of [this.#apps, this.#addons, this.#attachments, this.#databases, this.#transfers, this.#connections, this.#orgs]) map.clear();
    this.agenda.clear();
    this.ids.reset();
    this.clock.restart();
    this.faults.reset();
    this.rateLimit.reset();
    this.requestLog.clear();
    this.writeLedger.clear();
    this.notices.reset();
    this.versions.reset();
    seeds[seed](this);
  }

  #settled<T>(map: T): T {
    this.settle();
    return map;
  }
}
