import type { App } from './apps.js';
import { attachmentName, attachmentsOf } from './attachments.js';
import { configVars } from './config-vars.js';
import type { World } from './world.js';

/**
 * Who writes to which database. A writer is code that reads one named config var and writes to the
 * database that name resolves to *now*: a process type of the formation (web stops behind
 * maintenance mode; every other type writes while its quantity is above 0), or a one-off dyno (a
 * `heroku run`, or a Heroku Scheduler job), which maintenance mode does not stop. Every time what a
 * writer writes to changes (scale, maintenance, attach, detach, a dyno starting or ending) the
 * ledger gets an entry, so tests can prove "no write reached the old database after the promote".
 */
export interface ProcessWriter {
  /** process type, e.g. `worker` */
  processType: string;
  /** the config var its code reads, e.g. `DATABASE_CONNECTION_POOL_URL` */
  configVar: string;
}

/** One span start in the ledger: from `at`, `writer` on `app` writes to `addonId` (or, null, nowhere). */
export interface WriteEntry {
  at: number;
  app: string;
  /** `web`, `worker`, `run.4821`, `scheduler.1234` */
  writer: string;
  configVar: string;
  addonId: string | null;
}

/** What an app runs when nothing is declared: web and worker reading DATABASE_URL. */
export const defaultWriters = (): ProcessWriter[] => [
  { processType: 'web', configVar: 'DATABASE_URL' },
  { processType: 'worker', configVar: 'DATABASE_URL' },
];

/**
 * The add-on a config var name resolves to on an app now: the attachment of that name (the pool's
 * `DATABASE_CONNECTION_POOL` included), else a hand-set config var holding a database's URL.
 */
export function resolveConfigVar(world: World, app: App, configVar: string): string | null {
  const name = attachmentName(configVar);
  const attachment = attachmentsOf(world, { app }).find((a) => a.name === name && world.addons.get(a.addonId)?.state === 'provisioned');
  if (attachment) return attachment.addonId;
  const value = configVars(world, app)[configVar];
  return (value && [...world.addons.values()].find((a) => a.url === value)?.id) ?? null;
}

/** From `at`, the database takes writes (some writer, on any app, writes to it) or not. */
export interface WriteChange {
  at: number;
  writing: boolean;
}

export class WriteLedger {
  #entries: WriteEntry[] = [];
  readonly #current = new Map<string, WriteEntry>();
  /**
   * Per add-on: the writers (`app/writer`) writing to it now. Kept beside #current so "is it
   * written?" costs the same after a year of Scheduler runs (each leaves a writer key behind) as
   * on the first day: advancing the clock by months stays cheap.
   */
  readonly #writersNow = new Map<string, Set<string>>();
  /** Per add-on: when it started or stopped taking writes from anyone. */
  readonly #byAddOn = new Map<string, WriteChange[]>();

  /** Records `entry` when it differs from what that writer wrote to before. */
  note(entry: WriteEntry): void {
    const key = `${entry.app}/${entry.writer}`;
    const before = this.#current.get(key);
    if (before?.addonId === entry.addonId && before.configVar === entry.configVar) return;
    this.#current.set(key, entry);
    this.#entries.push(entry);
    if (before?.addonId) this.#writersNow.get(before.addonId)?.delete(key);
    if (entry.addonId) {
      const writers = this.#writersNow.get(entry.addonId) ?? new Set<string>();
      this.#writersNow.set(entry.addonId, writers.add(key));
    }
    for (const addonId of new Set([before?.addonId, entry.addonId])) if (addonId) this.#mark(addonId, entry.at);
  }

  /** A database is written while any writer of any app writes to it: a change of one writer may change that. */
  #mark(addonId: string, at: number): void {
    const writing = this.written(addonId);
    const timeline = this.#byAddOn.get(addonId) ?? [];
    this.#byAddOn.set(addonId, timeline);
    // The last change at or before `at`, searched from the end: changes are noted in time order but for seeds.
    let index = timeline.length;
    while (index > 0 && timeline[index - 1]!.at > at) index -= 1;
    if ((timeline[index - 1]?.writing ?? false) === writing) return;
    // Seeds play history out of order (an app created 400 days ago after one created 399 days ago): keep the timeline sorted.
    timeline.splice(index, 0, { at, writing });
  }

  /** When the add-on started and stopped taking writes (from every app's writers and one-off dynos). */
  timeline(addonId: string): readonly WriteChange[] {
    return this.#byAddOn.get(addonId) ?? [];
  }

  /** Whether some writer writes to the add-on now. */
  written(addonId: string): boolean {
    return (this.#writersNow.get(addonId)?.size ?? 0) > 0;
  }

  /** The writers writing to the add-on now, as `app/writer`. */
  writersNow(addonId: string): string[] {
    return [...(this.#writersNow.get(addonId) ?? [])];
  }

  entries(): readonly WriteEntry[] {
    return this.#entries;
  }

  /** Writers that wrote to the add-on at some instant after `from` (their span reaches past it). */
  writersOf(addonId: string, from: number): WriteEntry[] {
    // From the end, so each entry knows when its writer next changed without searching the rest.
    const nextChange = new Map<string, number>();
    const found: WriteEntry[] = [];
    for (let i = this.#entries.length - 1; i >= 0; i--) {
      const entry = this.#entries[i]!;
      const key = `${entry.app}/${entry.writer}`;
      const next = nextChange.get(key);
      nextChange.set(key, entry.at);
      if (entry.addonId === addonId && (next === undefined || next > from)) found.push(entry);
    }
    return found.reverse();
  }

  clear(): void {
    this.#entries = [];
    this.#current.clear();
    this.#writersNow.clear();
    this.#byAddOn.clear();
  }
}

/** Re-reads every writer of the app (after maintenance, scale, attach, detach, a dyno change). */
export function noteWriters(world: World, app: App): void {
  const at = world.clock.now();
  for (const writer of app.writers) {
    const quantity = app.formation.find((f) => f.type === writer.processType)?.quantity ?? 0;
    const running = quantity > 0 && !(writer.processType === 'web' && app.maintenance);
    world.writeLedger.note({ at, app: app.name, writer: writer.processType, configVar: writer.configVar, addonId: running ? resolveConfigVar(world, app, writer.configVar) : null });
  }
  for (const dyno of app.dynos) {
    world.writeLedger.note({ at, app: app.name, writer: dyno.name, configVar: dyno.configVar, addonId: dyno.state === 'up' ? resolveConfigVar(world, app, dyno.configVar) : null });
  }
}

/** Every app that has the add-on attached: an attach or detach can move their writers. */
export function noteWritersOfAddOn(world: World, addonId: string): void {
  const apps = new Set(attachmentsOf(world, {}).filter((a) => a.addonId === addonId).map((a) => a.appId));
  for (const app of world.apps.values()) if (apps.has(app.id)) noteWriters(world, app);
}
