import { z } from 'zod';
import { mustChange, findApp, setMaintenance, type App } from '../../world/apps.js';
import { stableUuid } from '../../world/ids.js';
import type { World } from '../../world/world.js';
import { parseBody } from '../../http/body.js';
import { paged } from '../../http/paging.js';
import { ok, route } from '../../http/router.js';

const named = (kind: string, name: string) => ({ id: stableUuid(`${kind}:${name}`), name });

/** The `app` definition of the Platform API schema. */
function presentApp(world: World, app: App) {
  return {
    acm: false,
    archived_at: null,
    buildpack_provided_description: 'Ruby',
    build_stack: named('stack', app.stack),
    created_at: world.clock.iso(app.createdAt),
    generation: named('generation', 'cedar'),
    git_url: `https://git.heroku.com/${app.name}.git`,
    id: app.id,
    internal_routing: null,
    maintenance: app.maintenance,
    name: app.name,
    owner: { email: 'owner@example.com', id: stableUuid('account:owner') },
    organization: null,
    team: null,
    region: named('region', app.region),
    released_at: world.clock.iso(app.releases.at(-1)?.createdAt ?? app.createdAt),
    repo_size: null,
    slug_size: 52_428_800,
    space: null,
    stack: named('stack', app.stack),
    updated_at: world.clock.iso(app.updatedAt),
    web_url: `https://${app.name}-${app.id.replace(/-/g, '').slice(0, 12)}.herokuapp.com/`,
  };
}

const appUpdate = z.object({ maintenance: z.boolean().optional() }).loose();

export const appRoutes = [
  route('GET', '/apps', (req) =>
    paged(req, [...req.world.apps.values()], { defaultField: 'id', fields: { id: (a) => a.id, name: (a) => a.name, updated_at: (a) => req.world.clock.iso(a.updatedAt) } }, (a) =>
      presentApp(req.world, a),
    ),
  ),
  route('GET', '/apps/:app', (req) => ok(presentApp(req.world, findApp(req.world, req.param('app'))))),
  route('PATCH', '/apps/:app', (req) => {
    const app = mustChange(findApp(req.world, req.param('app')));
    const { maintenance } = parseBody(appUpdate, req.body);
    if (maintenance !== undefined) setMaintenance(req.world, app, maintenance);
    return ok(presentApp(req.world, app));
  }),
  /** "Requests to this endpoint do not count towards the rate limit." (the server skips it) */
  route('GET', '/account/rate-limits', (req) => ok({ remaining: req.world.rateLimit.remaining() })),
];
