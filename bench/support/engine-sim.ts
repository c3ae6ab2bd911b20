/**
 * The simulated Heroku for bench/engine.ts, in a process of its own so that the load (the engine)
 * and the server it measures do not share a CPU. Started with the time scale as its argument; the
 * parent sends the apps to create, then asks for the report:
 *
 *   parent -> { type: 'apps', apps: [{ name, kind }] }   child -> { type: 'ready', url, token, clock }
 *   parent -> { type: 'report' }                         child -> { type: 'report', apps: { [name]: AppReport } }
 *
 * The report attributes every API request to its app (by path, body or the ids in it), and lists
 * when something changed on the app: each timed transition (an add-on provisioned, a mapping
 * loaded...), each change of its writing state, and each mutation Heroku received.
 */
import { startSimulatedHeroku, type RequestLogEntry, type World } from '../../src/sandbox/heroku/index.js';
import { createBenchApp, type AppKind } from './engine-apps.js';

export interface AppReport {
  requests: number;
  mutations: number;
  /** Simulated ms of each mutation Heroku accepted, in order. */
  mutatedAt: number[];
  /** Simulated ms at which the app's state changed, sorted. */
  changes: number[];
}

export interface SimClockReading {
  realNow: number;
  simNow: number;
  timeScale: number;
}

/** The account as a whole: Heroku's limit is 4,500 requests an hour. */
export interface AccountReport {
  requests: number;
  /** Requests answered 429. */
  rateLimited: number;
  /** The most requests in any simulated hour (sliding). */
  peakPerHour: number;
  /** Simulated ms from the first request to the last. */
  spanMs: number;
}

export type ToSim = { type: 'apps'; apps: Array<{ name: string; kind: AppKind }> } | { type: 'report' };
export type FromSim =
  | { type: 'ready'; url: string; token: string; clock: SimClockReading }
  | { type: 'report'; apps: Record<string, AppReport>; account: AccountReport };

const timeScale = Number(process.argv[2] ?? 600);
// Heroku's budget of 4,500 requests an hour, in simulated hours.
const sim = await startSimulatedHeroku({ timeScale, seed: 'empty', rateLimit: { capacity: 4500, refillPerMinute: 75 * timeScale } });
const world = sim.world;
const reports = new Map<string, AppReport>();
const send = (message: FromSim) => process.send?.(message);
const requestTimes: number[] = [];
let rateLimited = 0;

/** Requests that change nothing: name resolution, the Connect access list, a Salesforce login link. */
const NOT_MUTATIONS = /^\/actions\/addon(-attachment)?s\/resolve$|^\/auth\/|\/authorize_url$/;

/** The app that owns an entity (add-on, database, connection, mapping, transfer, attachment), by id. */
const owners = new Map<string, string>();

function appNameOf(appId: string): string | undefined {
  return [...world.apps.values()].find((a) => a.id === appId)?.name;
}

function ownerOf(id: string): string | undefined {
  const known = owners.get(id);
  if (known) return known;
  const addon = world.addons.get(id) ?? [...world.addons.values()].find((a) => a.name === id);
  const connection = world.connections.get(id);
  const mapped = [...world.connections.values()].find((c) => c.mappings.some((m) => m.id === id));
  const appId = addon?.appId ?? connection?.appId ?? mapped?.appId ?? world.transfers.get(id)?.appId ?? world.attachments.get(id)?.appId;
  const name = appId && appNameOf(appId);
  if (name) owners.set(id, name);
  return name;
}

function appOf(entry: RequestLogEntry): string | undefined {
  const body = (entry.body ?? {}) as { app?: unknown };
  const query = new URLSearchParams(entry.query);
  const byName = /^\/(?:apps|auth|client\/v11\/apps|api\/v3\/apps)\/([^/]+)/.exec(entry.path)?.[1];
  if (byName) return world.apps.has(byName) ? byName : ownerOf(byName) ?? appNameOf(byName);
  if (typeof body.app === 'string') return body.app;
  if (entry.path === '/connections') return query.get('app') ?? undefined;
  const id = /^\/(?:client\/v11\/databases|api\/v3\/connections|api\/v3\/mappings|addon-attachments)\/([^/]+)/.exec(entry.path)?.[1];
  return id ? ownerOf(id) : undefined;
}

function note(app: string | undefined, at: number): void {
  reports.get(app ?? '')?.changes.push(at);
}

/** Counts each request for its app instead of keeping the log (200 runs make a long one). */
function instrument(w: World): void {
  w.requestLog.add = (entry: RequestLogEntry) => {
    requestTimes.push(Date.parse(entry.at));
    if (entry.status === 429) rateLimited += 1;
    const app = appOf(entry);
    const report = reports.get(app ?? '');
    if (!report) return;
    report.requests += 1;
    if (entry.method !== 'GET' && entry.status < 300 && !NOT_MUTATIONS.test(entry.path)) {
      report.mutations += 1;
      report.mutatedAt.push(Date.parse(entry.at));
      note(app, Date.parse(entry.at));
    }
  };
  const plan = w.agenda.plan.bind(w.agenda);
  w.agenda.plan = (key, steps) => {
    const app = ownerOf(key.slice(0, key.indexOf(':')));
    plan(key, steps.map((step) => ({ ...step, do: () => (step.do(), note(app, w.clock.now())) })));
  };
}

function account(): AccountReport {
  const times = [...requestTimes].sort((a, b) => a - b);
  let peak = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= 3_600_000) j++;
    peak = Math.max(peak, i - j + 1);
  }
  return { requests: times.length, rateLimited, peakPerHour: peak, spanMs: times.length ? times.at(-1)! - times[0]! : 0 };
}

process.on('message', (message: ToSim) => {
  if (message.type === 'apps') {
    for (const { name, kind } of message.apps) {
      createBenchApp(world, name, kind);
      reports.set(name, { requests: 0, mutations: 0, mutatedAt: [], changes: [] });
    }
    instrument(world);
    send({ type: 'ready', url: sim.url, token: sim.token, clock: { realNow: Date.now(), simNow: world.clock.now(), timeScale } });
  } else {
    for (const [name, report] of reports) {
      // Every change of what one of the app's writers writes to (writers.ts).
      const writes = world.writeLedger.entries().filter((e) => e.app === name);
      report.changes = [...report.changes, ...writes.map((w) => w.at)].sort((a, b) => a - b);
    }
    send({ type: 'report', apps: Object.fromEntries(reports), account: account() });
  }
});
process.on('disconnect', () => void sim.close().then(() => process.exit(0)));
