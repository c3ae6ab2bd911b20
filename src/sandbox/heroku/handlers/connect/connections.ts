import { z } from 'zod';
import { findApp } from '../../world/apps.js';
import { configVars } from '../../world/config-vars.js';
import { configFileSchema, exportConfiguration, importConfiguration } from '../../world/connect-config.js';
import {
  authorizeUrl,
  changeApiVersion,
  findConnection,
  pause,
  restart,
  resume,
  setDatabase,
  type Connection,
} from '../../world/connections.js';
import { parseBody } from '../../http/body.js';
import { ok, route, type ApiRequest } from '../../http/router.js';
import { presentConnection } from './present.js';

const connectionOf = (req: ApiRequest) => findConnection(req.world, req.param('cid'));
const show = (req: ApiRequest, connection: Connection) => presentConnection(req.world, connection, req.baseUrl, req.query.get('deep') === 'true');
const accepted = { status: 202 };

/** Heroku Connect answers a bad body with 400 and a message. */
const body = <S extends z.ZodType>(schema: S, req: ApiRequest) => parseBody(schema, req.body, 400);

/** Actions answer 202 and take effect over time; poll C1 for the state. */
const action = (name: string, act: (req: ApiRequest, connection: Connection) => void) =>
  route('POST', `/api/v3/connections/:cid/actions/${name}`, (req) => {
    act(req, connectionOf(req));
    return accepted;
  });

export const connectionRoutes = [
  route('GET', '/api/v3/connections/:cid', (req) => ok(show(req, connectionOf(req)))),
  route('PATCH', '/api/v3/connections/:cid', (req) => {
    const connection = connectionOf(req);
    setDatabase(req.world, connection, body(z.object({ db_key: z.string().optional(), schema_name: z.string().optional() }).loose(), req));
    return ok(show(req, connection));
  }),
  /** C3: the config vars that can serve as db_key. */
  route('GET', '/api/v3/apps/:app', (req) => {
    const app = findApp(req.world, req.param('app'));
    const postgresVars = Object.entries(configVars(req.world, app)).filter(([, v]) => /^postgres(ql)?:\/\//.test(v));
    return ok({
      db_keys: postgresVars.map(([name, value]) => {
        const addon = [...req.world.addons.values()].find((a) => a.url === value);
        return { name, addon: addon ? { plan: addon.plan.name } : null };
      }),
    });
  }),
  route('POST', '/api/v3/connections/:cid/authorize_url', (req) => {
    const request = body(z.object({ environment: z.string().optional(), next: z.string().optional(), domain: z.string().optional() }), req);
    return ok({ redirect: authorizeUrl(req.world, connectionOf(req), request) }, 201);
  }),
  action('pause', (req, c) => pause(req.world, c)),
  action('resume', (req, c) => resume(req.world, c)),
  action('restart', (req, c) => restart(req.world, c)),
  action('import', (req, c) => importConfiguration(req.world, c, body(configFileSchema, req))),
  action('change-sf-api-version', (req, c) => changeApiVersion(req.world, c, body(z.object({ target_version: z.string() }), req).target_version)),
  route('GET', '/api/v3/connections/:cid/actions/export', (req) => ok(exportConfiguration(req.world, connectionOf(req)))),
  /** C14: the sandbox's Salesforce schema never changes between API versions. */
  route('GET', '/api/v3/connections/:cid/schema-diff', (req) => {
    const connection = connectionOf(req);
    return ok({
      current_api_version: connection.apiVersion,
      target_api_version: req.query.get('target_version') ?? connection.apiVersion,
      guid: connection.id,
      mappings: connection.mappings.map((m) => ({
        name: m.objectName,
        fields_have_changed: false,
        has_unsafe_changes: false,
        action_undetermined: false,
        result_message: 'No changes',
      })),
    });
  }),
];
