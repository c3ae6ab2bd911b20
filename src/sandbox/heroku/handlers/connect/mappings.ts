import { z } from 'zod';
import { findConnection, type Connection } from '../../world/connections.js';
import { createMapping, deleteMapping, findMapping, mappingConfigSchema, recentWriteErrors, reloadMapping, updateMapping } from '../../world/mappings.js';
import { describeObject } from '../../world/salesforce.js';
import type { World } from '../../world/world.js';
import { parseBody } from '../../http/body.js';
import { ok, route, type ApiRequest } from '../../http/router.js';
import { presentMapping } from './present.js';

const createBody = z.object({ object_name: z.string().min(1), config: mappingConfigSchema });
/** M7 takes the current `revision`, at the top level or inside `config` as GET returns it. */
const updateBody = z.object({
  object_name: z.string().optional(),
  revision: z.number().int().optional(),
  config: mappingConfigSchema.extend({ revision: z.number().int().optional() }),
});

const mappingOf = (req: ApiRequest) => findMapping(req.world, req.param('mid'));

/** C11/M5: the write errors of the last 24 hours. */
function writeErrors(world: World, connection: Connection, table?: string) {
  const results = recentWriteErrors(world, connection, table);
  return { count: results.length, results };
}

export const mappingRoutes = [
  route('POST', '/api/v3/connections/:cid/mappings', (req) => {
    const connection = findConnection(req.world, req.param('cid'));
    const { object_name, config } = parseBody(createBody, req.body, 400);
    return ok(presentMapping(req.world, connection, createMapping(req.world, connection, object_name, config), req.baseUrl), 201);
  }),
  route('GET', '/api/v3/mappings/:mid', (req) => {
    const { connection, mapping } = mappingOf(req);
    return ok(presentMapping(req.world, connection, mapping, req.baseUrl));
  }),
  route('PUT', '/api/v3/mappings/:mid', (req) => {
    const { connection, mapping } = mappingOf(req);
    const { revision: top, config } = parseBody(updateBody, req.body, 400);
    const { revision: inside, ...rest } = config;
    const revision = top ?? inside;
    if (revision === undefined) return ok({ message: 'revision is required: send the revision you last read.' }, 400);
    return ok(presentMapping(req.world, connection, updateMapping(req.world, connection, mapping, rest, revision), req.baseUrl));
  }),
  route('DELETE', '/api/v3/mappings/:mid', (req) => {
    const { connection, mapping } = mappingOf(req);
    deleteMapping(req.world, connection, mapping);
    return { status: 204 };
  }),
  route('POST', '/api/v3/mappings/:mid/actions/reload', (req) => {
    const { connection, mapping } = mappingOf(req);
    reloadMapping(req.world, connection, mapping);
    return { status: 202 };
  }),
  route('GET', '/api/v3/connections/:cid/errors', (req) => ok(writeErrors(req.world, findConnection(req.world, req.param('cid'))))),
  route('GET', '/api/v3/mappings/:mid/errors', (req) => {
    const { connection, mapping } = mappingOf(req);
    return ok(writeErrors(req.world, connection, mapping.objectName));
  }),
  /** C16: the object's fields as Salesforce describes them now (the plugin reads `name` and `required`). */
  route('GET', '/api/v3/connections/:cid/schemas/:object', (req) => {
    const connection = findConnection(req.world, req.param('cid'));
    const org = connection.orgId ? req.world.orgs.get(connection.orgId) : undefined;
    return ok({ name: req.param('object'), fields: describeObject(req.world, org, req.param('object')) });
  }),
];
