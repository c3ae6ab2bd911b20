import { notFound } from '../../errors.js';
import { findApp, mustChange, type App } from '../../world/apps.js';
import { findOneOff, runningOneOffs, stopDyno } from '../../world/dynos.js';
import { stableUuid } from '../../world/ids.js';
import type { World } from '../../world/world.js';
import { paged } from '../../http/paging.js';
import { ok, route, type ApiRequest } from '../../http/router.js';

interface DynoView {
  id: string;
  name: string;
  type: string;
  command: string;
  size: string;
  createdAt: number;
  updatedAt: number;
}

/** The formation's dynos (`web.1`, `worker.3`) and the one-off dynos running now (`run.1042`, `scheduler.1077`). */
function dynosOf(app: App): DynoView[] {
  const formation = app.formation.flatMap((f) =>
    Array.from({ length: f.quantity }, (_, i) => ({
      id: stableUuid(`dyno:${app.id}:${f.type}.${i + 1}`),
      name: `${f.type}.${i + 1}`,
      type: f.type,
      command: f.command,
      size: f.size,
      createdAt: f.updatedAt,
      updatedAt: f.updatedAt,
    })),
  );
  const oneOffs = runningOneOffs(app).map((d) => ({ id: d.id, name: d.name, type: d.type, command: d.command, size: 'Standard-1X', createdAt: d.createdAt, updatedAt: d.updatedAt }));
  return [...formation, ...oneOffs];
}

/** The `dyno` definition of the Platform API schema. */
function presentDyno(world: World, app: App, d: DynoView) {
  const current = app.releases.at(-1);
  return {
    app: { id: app.id, name: app.name },
    attach_url: null,
    command: d.command,
    created_at: world.clock.iso(d.createdAt),
    id: d.id,
    name: d.name,
    release: { id: current?.id ?? stableUuid(`release:${app.id}`), version: current?.version ?? 0 },
    size: d.size,
    state: 'up',
    type: d.type,
    updated_at: world.clock.iso(d.updatedAt),
  };
}

const appOf = (req: ApiRequest) => findApp(req.world, req.param('app'));
const named = (app: App, idOrName: string) => dynosOf(app).find((d) => d.id === idOrName || d.name === idOrName);

/**
 * "Restart" (`DELETE`) and "Stop" (`POST .../actions/stop`, what `heroku ps:stop` sends): a one-off
 * dyno ends for good, since one-offs are never restarted; a formation dyno comes straight back (the
 * formation still asks for it), so only scaling stops those. Both answer `{}`.
 */
function stop(req: ApiRequest) {
  const app = mustChange(appOf(req));
  const dyno = findOneOff(app, req.param('dyno'));
  if (dyno) stopDyno(req.world, app, dyno);
  else if (!named(app, req.param('dyno'))) throw notFound('dyno', "Couldn't find that dyno.");
  return ok({});
}

export const dynoRoutes = [
  route('GET', '/apps/:app/dynos', (req) => {
    const app = appOf(req);
    return paged(req, dynosOf(app), { defaultField: 'name', fields: { id: (d) => d.id, name: (d) => d.name } }, (d) => presentDyno(req.world, app, d));
  }),
  route('GET', '/apps/:app/dynos/:dyno', (req) => {
    const app = appOf(req);
    const dyno = named(app, req.param('dyno'));
    if (!dyno) throw notFound('dyno', "Couldn't find that dyno.");
    return ok(presentDyno(req.world, app, dyno));
  }),
  route('DELETE', '/apps/:app/dynos/:dyno', stop),
  route('POST', '/apps/:app/dynos/:dyno/actions/stop', stop),
];
