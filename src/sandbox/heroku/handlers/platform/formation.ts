import { z } from 'zod';
import { mustChange, findApp, type App } from '../../world/apps.js';
import { findFormation, scale, type Formation } from '../../world/formation.js';
import { stableUuid } from '../../world/ids.js';
import type { World } from '../../world/world.js';
import { parseBody } from '../../http/body.js';
import { paged } from '../../http/paging.js';
import { ok, route, type ApiRequest } from '../../http/router.js';

function presentFormation(world: World, app: App, f: Formation) {
  return {
    app: { id: app.id, name: app.name },
    command: f.command,
    created_at: world.clock.iso(f.createdAt),
    dyno_size: { id: stableUuid(`dyno-size:${f.size}`), name: f.size },
    id: f.id,
    quantity: f.quantity,
    size: f.size,
    type: f.type,
    updated_at: world.clock.iso(f.updatedAt),
  };
}

/** The CLI's ps:scale sends `quantity` as a (possibly relative) string and the deprecated `size`. */
const change = z.object({
  quantity: z.union([z.number().int(), z.string()]).optional(),
  size: z.string().optional(),
  dyno_size: z.union([z.string(), z.object({ name: z.string() })]).optional(),
});
type Change = z.infer<typeof change>;

const sizeOf = (c: Change) => (typeof c.dyno_size === 'object' ? c.dyno_size.name : c.dyno_size) ?? c.size;

const appOf = (req: ApiRequest) => findApp(req.world, req.param('app'));

export const formationRoutes = [
  route('GET', '/apps/:app/formation', (req) => {
    const app = appOf(req);
    return paged(req, app.formation, { defaultField: 'type', fields: { id: (f) => f.id, type: (f) => f.type } }, (f) => presentFormation(req.world, app, f));
  }),
  route('GET', '/apps/:app/formation/:type', (req) => {
    const app = appOf(req);
    return ok(presentFormation(req.world, app, findFormation(app, req.param('type'))));
  }),
  route('PATCH', '/apps/:app/formation', (req) => {
    const app = mustChange(appOf(req));
    const { updates } = parseBody(z.object({ updates: z.array(change.extend({ type: z.string() })).min(1) }), req.body);
    const scaled = scale(req.world, app, updates.map((u) => ({ type: u.type, quantity: u.quantity, size: sizeOf(u) })));
    return ok(scaled.map((f) => presentFormation(req.world, app, f)));
  }),
  route('PATCH', '/apps/:app/formation/:type', (req) => {
    const app = mustChange(appOf(req));
    const body = parseBody(change, req.body);
    const [scaled] = scale(req.world, app, [{ type: req.param('type'), quantity: body.quantity, size: sizeOf(body) }]);
    return ok(scaled && presentFormation(req.world, app, scaled));
  }),
];
