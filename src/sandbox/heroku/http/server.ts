import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError } from '../errors.js';
import { adminRoutes } from '../handlers/admin.js';
import { connectionRoutes } from '../handlers/connect/connections.js';
import { diagnoseRoutes } from '../handlers/connect/diagnose.js';
import { discoveryRoutes } from '../handlers/connect/discovery.js';
import { mappingRoutes } from '../handlers/connect/mappings.js';
import { notificationRoutes } from '../handlers/connect/notifications.js';
import { databaseRoutes } from '../handlers/data/databases.js';
import { transferRoutes } from '../handlers/data/transfers.js';
import { upgradeRoutes } from '../handlers/data/upgrades.js';
import { addonRoutes } from '../handlers/platform/addons.js';
import { appRoutes } from '../handlers/platform/apps.js';
import { attachmentRoutes } from '../handlers/platform/attachments.js';
import { configVarRoutes } from '../handlers/platform/config-vars.js';
import { dynoRoutes } from '../handlers/platform/dynos.js';
import { formationRoutes } from '../handlers/platform/formation.js';
import { herokuStatusRoutes } from '../handlers/status/heroku-status.js';
import { trustRoutes } from '../handlers/status/trust.js';
import type { World } from '../world/world.js';
import { dispatch, errorResponse, herokuHeaders, hostKindOf, serve, withEtag, type Incoming } from './pipeline.js';
import { Router, type ApiResponse } from './router.js';

const api = new Router([
  ...appRoutes,
  ...formationRoutes,
  ...dynoRoutes,
  ...configVarRoutes,
  ...addonRoutes,
  ...attachmentRoutes,
  ...databaseRoutes,
  ...upgradeRoutes,
  ...transferRoutes,
  ...discoveryRoutes,
  ...connectionRoutes,
  ...diagnoseRoutes,
  ...mappingRoutes,
  ...notificationRoutes,
  ...herokuStatusRoutes,
  ...trustRoutes,
]);
const admin = new Router(adminRoutes);

export interface ServerSettings {
  world: World;
  token: string;
  /** this server's own URL, known once it listens */
  baseUrl: () => string;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, response: ApiResponse): void {
  const hasBody = response.body !== undefined && response.status !== 204 && response.status !== 304;
  res.writeHead(response.status, { ...(hasBody ? { 'Content-Type': 'application/json; charset=utf-8' } : {}), ...response.headers });
  res.end(hasBody ? JSON.stringify(response.body) : undefined);
}

/** Admin requests skip the gates, the faults and the request log. */
function serveAdmin(world: World, baseUrl: string, incoming: Incoming): ApiResponse {
  try {
    return dispatch(world, admin, baseUrl, incoming);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return errorResponse(error, 'heroku');
  }
}

async function handle(settings: ServerSettings, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { world, token } = settings;
  const baseUrl = settings.baseUrl();
  const url = new URL(req.url ?? '/', baseUrl);
  const raw = await readBody(req);
  let body: unknown;
  try {
    body = raw ? JSON.parse(raw) : undefined;
  } catch {
    send(res, { status: 400, body: { id: 'bad_request', message: 'Request body is not valid JSON.' } });
    return;
  }
  const incoming: Incoming = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body };
  if (url.pathname.startsWith('/__sandbox/')) {
    send(res, serveAdmin(world, baseUrl, incoming));
    return;
  }
  const host = hostKindOf(url.pathname);
  // a request happens at one simulated instant, however fast simulated time runs
  const at = world.clock.now();
  let response = world.clock.pinnedAt(at, () => serve(world, api, token, baseUrl, host, incoming));
  if (host === 'status') response = withEtag(response, req.headers['if-none-match']);
  response = { ...response, headers: { ...herokuHeaders(world, host), ...response.headers } };
  world.requestLog.add({
    at: world.clock.iso(at),
    host,
    method: incoming.method,
    path: url.pathname,
    query: url.search.replace(/^\?/, ''),
    status: response.status,
    ...(body === undefined ? {} : { body }),
  });
  // A lost answer: the mutation took effect, the caller never hears of it (faults.hang).
  if (world.faults.hangsNow(incoming.method, url.pathname)) return;
  const { latencyMs } = world.faults.current;
  if (latencyMs > 0) await sleep(latencyMs);
  send(res, response);
}

export function createServer(settings: ServerSettings): Server {
  return createHttpServer((req, res) => {
    handle(settings, req, res).catch((error: unknown) => {
      send(res, { status: 500, body: { id: 'internal_server_error', message: error instanceof Error ? error.message : String(error) } });
    });
  });
}
