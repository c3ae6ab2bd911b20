import { appById, findApp } from '../../world/apps.js';
import { grantAccess } from '../../world/connections.js';
import { stableUuid } from '../../world/ids.js';
import { ok, route } from '../../http/router.js';
import { discoveryIndex, discoveryResult } from './present.js';

/**
 * Connect Central (hc-central.heroku.com): finds an app's connections and the regional host that
 * owns each. A new connection is listed only once the user is on its access list (D2).
 */
export const discoveryRoutes = [
  route('GET', '/connections', (req) => {
    const app = req.query.get('app');
    const resource = req.query.get('resource_name');
    const found = [...req.world.connections.values()].filter((c) => {
      const owner = appById(req.world, c.appId);
      const addon = req.world.addons.get(c.addonId);
      return c.accessible && (!app || owner?.name === app || owner?.id === app) && (!resource || addon?.name === resource);
    });
    return ok({
      results: found.map((c) => discoveryResult(req.world, c, req.baseUrl)),
      ...discoveryIndex(req.world, found, req.baseUrl),
      next: null,
      previous: null,
      count: found.length,
    });
  }),
  route('POST', '/auth/:app', (req) => {
    grantAccess(req.world, findApp(req.world, req.param('app')));
    const all = [...req.world.connections.values()].filter((c) => c.accessible);
    return ok({
      user: { id: stableUuid('account:owner'), email: 'owner@example.com' },
      connections: all.map((c) => discoveryResult(req.world, c, req.baseUrl)),
      ...discoveryIndex(req.world, all, req.baseUrl),
    });
  }),
];
