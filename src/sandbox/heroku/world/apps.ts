import { ApiError, notFound } from '../errors.js';
import { newFormation, type Formation } from './formation.js';
import type { OneOffDyno } from './dynos.js';
import type { Release } from './releases.js';
import type { SchedulerJob } from './scheduler.js';
import { defaultWriters, type ProcessWriter } from './writers.js';
import { noteWrites } from './writes.js';
import type { World } from './world.js';

export interface App {
  id: string;
  name: string;
  region: 'us' | 'eu';
  stack: string;
  maintenance: boolean;
  createdAt: number;
  updatedAt: number;
  formation: Formation[];
  /** Config vars people set. Attachment vars (`DATABASE_URL`) are derived: see config-vars.ts. */
  configVars: Map<string, string>;
  releases: Release[];
  /** Which process types write, through which config var: see writers.ts. */
  writers: ProcessWriter[];
  /** One-off dynos running now (`heroku run`, Scheduler jobs). */
  dynos: OneOffDyno[];
  /** Heroku Scheduler jobs (only with a Scheduler add-on): see scheduler.ts. */
  schedulerJobs: SchedulerJob[];
  /**
   * What the API token may do on the app: `full`, or `view` (a team member with the view
   * permission: reads work, every change answers 403 forbidden), or `none` (not a member: Heroku
   * answers 404 not_found on every path of the app, as for an app that does not exist; an
   * attachment on it is still listed by the add-on's attachments).
   */
  access: 'full' | 'view' | 'none';
  /** the release phase fails (a broken migration): releases end `failed` */
  releasePhaseFails?: boolean;
}

export interface NewApp {
  name: string;
  region?: 'us' | 'eu';
  formation?: Record<string, number>;
  configVars?: Record<string, string>;
  writers?: ProcessWriter[];
  access?: App['access'];
}

export function createApp(world: World, spec: NewApp): App {
  const now = world.clock.now();
  const app: App = {
    id: world.ids.uuid(),
    name: spec.name,
    region: spec.region ?? 'us',
    stack: 'heroku-24',
    maintenance: false,
    createdAt: now,
    updatedAt: now,
    formation: [],
    configVars: new Map(Object.entries(spec.configVars ?? {})),
    releases: [],
    writers: spec.writers ?? defaultWriters(),
    dynos: [],
    schedulerJobs: [],
    access: spec.access ?? 'full',
  };
  app.formation = Object.entries(spec.formation ?? { web: 1 }).map(([type, quantity]) => newFormation(world, type, quantity));
  world.apps.set(app.name, app);
  noteWrites(world, app);
  return app;
}

/** Apps are kept by name; add-ons, attachments and connections refer to theirs by id. */
export function appById(world: World, id: string): App | undefined {
  return [...world.apps.values()].find((a) => a.id === id);
}

/** `{app}` in a path is an app id or name. */
export function findApp(world: World, idOrName: string): App {
  const app = world.apps.get(idOrName) ?? appById(world, idOrName);
  if (!app || app.access === 'none') throw notFound('app', "Couldn't find that app.");
  return app;
}

/** A change on an app the token may only view: 403, as Heroku answers a team member without the permission. */
export function mustChange(app: App): App {
  if (app.access !== 'full') throw new ApiError(403, 'forbidden', `You do not have access to the app ${app.name}.`);
  return app;
}

/** Maintenance mode serves a maintenance page on web dynos; workers keep running. */
export function setMaintenance(world: World, app: App, on: boolean): void {
  if (app.maintenance === on) return;
  app.maintenance = on;
  app.updatedAt = world.clock.now();
  noteWrites(world, app);
}
