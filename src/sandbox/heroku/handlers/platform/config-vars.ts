import { z } from 'zod';
import { mustChange, findApp, type App } from '../../world/apps.js';
import { configVars, updateConfigVars } from '../../world/config-vars.js';
import { stableUuid } from '../../world/ids.js';
import { findRelease, type Release } from '../../world/releases.js';
import type { World } from '../../world/world.js';
import { parseBody } from '../../http/body.js';
import { paged } from '../../http/paging.js';
import { ok, route, type ApiRequest } from '../../http/router.js';

function presentRelease(world: World, app: App, release: Release) {
  const current = app.releases.at(-1) === release;
  return {
    addon_plan_names: [...world.addons.values()].filter((a) => a.appId === app.id).map((a) => a.plan.name),
    artifacts: [],
    app: { id: app.id, name: app.name },
    created_at: world.clock.iso(release.createdAt),
    description: release.description,
    id: release.id,
    updated_at: world.clock.iso(release.updatedAt),
    slug: null,
    status: release.status,
    user: { id: stableUuid('account:owner'), email: 'owner@example.com' },
    version: release.version,
    current,
    output_stream_url: null,
    eligible_for_rollback: !current,
  };
}

/** Keys match `^\w+$`; `null` removes a key. */
const changes = z.record(z.string().regex(/^\w+$/, { error: 'config var keys must match ^\\w+$' }), z.string().nullable());

const appOf = (req: ApiRequest) => findApp(req.world, req.param('app'));

export const configVarRoutes = [
  // Config var values need the deploy permission (Dev Center "App Permissions"): a view-only token gets 403.
  route('GET', '/apps/:app/config-vars', (req) => ok(configVars(req.world, mustChange(appOf(req))))),
  route('PATCH', '/apps/:app/config-vars', (req) => ok(updateConfigVars(req.world, mustChange(appOf(req)), parseBody(changes, req.body)))),
  route('GET', '/apps/:app/releases', (req) => {
    const app = appOf(req);
    return paged(req, app.releases, { defaultField: 'version', fields: { id: (r) => r.id, version: (r) => r.version } }, (r) =>
      presentRelease(req.world, app, r),
    );
  }),
  route('GET', '/apps/:app/releases/:release', (req) => {
    const app = appOf(req);
    return ok(presentRelease(req.world, app, findRelease(app, req.param('release'))));
  }),
];
