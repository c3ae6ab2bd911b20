import { notFound } from '../errors.js';
import type { App } from './apps.js';
import { noteWrites } from './writes.js';
import type { World } from './world.js';

/**
 * One-off dynos (`heroku run`, Heroku Scheduler jobs): type `run` (`scheduler` for Scheduler's),
 * named `run.<n>`. Maintenance mode and the formation do not stop them; `DELETE
 * /apps/{app}/dynos/{dyno}` does, or they end by themselves when their command finishes.
 */
export interface OneOffDyno {
  id: string;
  name: string;
  type: 'run' | 'scheduler';
  command: string;
  /** the config var its code writes through */
  configVar: string;
  state: 'up' | 'stopped';
  createdAt: number;
  updatedAt: number;
}

export interface NewOneOff {
  command: string;
  configVar?: string;
  type?: OneOffDyno['type'];
  /** simulated ms until the command finishes by itself; undefined runs until stopped */
  runsFor?: number;
}

export function startOneOff(world: World, app: App, spec: NewOneOff): OneOffDyno {
  const now = world.clock.now();
  const dyno: OneOffDyno = {
    id: world.ids.uuid(),
    name: `${spec.type === 'scheduler' ? 'scheduler' : 'run'}.${world.ids.serial() - 10_000_000 + 1000}`,
    type: spec.type ?? 'run',
    command: spec.command,
    configVar: spec.configVar ?? 'DATABASE_URL',
    state: 'up',
    createdAt: now,
    updatedAt: now,
  };
  app.dynos.push(dyno);
  noteWrites(world, app);
  if (spec.runsFor !== undefined) world.agenda.plan(`${dyno.id}:exit`, [{ after: spec.runsFor, do: () => stopDyno(world, app, dyno) }]);
  return dyno;
}

/** A stopped one-off dyno leaves the list (Heroku forgets it once it exits). */
export function stopDyno(world: World, app: App, dyno: OneOffDyno): void {
  if (dyno.state === 'stopped') return;
  dyno.state = 'stopped';
  dyno.updatedAt = world.clock.now();
  world.agenda.forget(dyno.id);
  noteWrites(world, app);
  app.dynos = app.dynos.filter((d) => d !== dyno);
}

export const runningOneOffs = (app: App) => app.dynos.filter((d) => d.state === 'up');

export function findOneOff(app: App, idOrName: string): OneOffDyno | undefined {
  return app.dynos.find((d) => d.id === idOrName || d.name === idOrName);
}

export function mustFindOneOff(app: App, idOrName: string): OneOffDyno {
  const dyno = findOneOff(app, idOrName);
  if (!dyno) throw notFound('dyno', "Couldn't find that dyno.");
  return dyno;
}
