import { z } from 'zod';
import { ApiError } from '../errors.js';
import { findApp } from '../world/apps.js';
import { abortNewestLoad } from '../world/abort.js';
import { authorizeSalesforce, failConnection } from '../world/connections.js';
import { SUPPORTED_VERSIONS } from '../world/databases.js';
import { deleteSalesforceField, exhaustApiCalls, failMapping, MAPPING_ERROR_STATES, refuseWrites } from '../world/trouble.js';
import type { NoticeBoard } from '../world/notices.js';
import { parseBody } from '../http/body.js';
import { ok, route } from '../http/router.js';
import { worldState } from './world-state.js';
import { presentItem } from './status/heroku-status.js';

const hostKind = z.enum(['platform', 'data', 'connect', 'status']);
const faultsBody = z
  .object({
    errorRate: z.number().min(0).max(1),
    errorHosts: z.array(hostKind),
    latencyMs: z.number().int().min(0),
    rateLimitBurst: z.number().int().min(0),
    stuckPolling: z.array(z.string()),
    hang: z.object({ method: z.string().min(1), path: z.string().min(1).refine(isPattern, 'not a regular expression'), count: z.number().int().min(0).default(1) }).nullable(),
  })
  .partial();

function isPattern(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

const time = z.union([z.string(), z.number()]);
const window = z.object({ start: time, end: time });
const system = z.enum(['Apps', 'Data', 'Tools']);
const id = z.number().int();
const text = z.string().optional();
const noticeBody = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('announce'),
    window,
    title: z.string().optional(),
    text,
    region: z.string().optional(),
    systems: z.array(system).optional(),
    tags: z.array(z.string()).optional(),
    trust: z.boolean().optional(),
  }),
  z.object({
    action: z.literal('incident'),
    title: z.string(),
    text: z.string(),
    systems: z.array(system).optional(),
    severity: z.enum(['minor', 'major']).optional(),
    trust: z.boolean().optional(),
  }),
  z.object({ action: z.literal('reschedule'), id, window, text }),
  z.object({ action: z.enum(['start', 'complete', 'cancel']), id, text }),
  z.object({ action: z.literal('update'), id, type: z.enum(['update', 'investigating', 'monitoring', 'issue']), text: z.string() }),
]);
type NoticeAction = z.infer<typeof noticeBody>;

/** Plays one step of a notice's life: announce, reschedule, start, complete, cancel (or an incident). */
function playNotice(board: NoticeBoard, body: NoticeAction) {
  if (body.action === 'announce') return board.announce(body);
  if (body.action === 'incident') return board.incident(body);
  const notice = board.get(body.id);
  if (!notice) throw new ApiError(404, 'not_found', `No notice ${body.id}.`);
  if (body.action === 'reschedule') return notice.reschedule(body.window, body.text);
  if (body.action === 'update') return notice.update(body.type, body.text, notice.color());
  return notice[body.action](body.text);
}

const connectionStateBody = z.object({
  state: z.enum(['IDLE', 'SYSTEM_ERROR', 'DB_UNAVAILABLE', 'TOO_MANY_ROWS', 'UNAUTHORIZED', 'HEROKU_UNAUTH', 'NEED_AUTHENTICATION']),
});
const salesforceName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/);
const mappingStateBody = z.object({ object: salesforceName, state: z.enum([...MAPPING_ERROR_STATES, 'DATA_SYNCED']) });
const deleteFieldBody = z.object({ object: salesforceName, field: salesforceName });
const refuseWritesBody = z.object({ object: salesforceName.optional(), count: z.number().int().min(1).max(500).default(1), message: z.string().min(1).max(500).optional() });
const apiLimitBody = z.object({ exhausted: z.boolean() });
const deprecateBody = z.object({ at: time.optional() });

/**
 * `/__sandbox/...`: drive the simulated Heroku from tests, the browser sandbox or another process.
 * No auth, no faults, never in the request log.
 */
export const adminRoutes = [
  route('GET', '/__sandbox/requests', (req) => ok(req.world.requestLog.list())),
  route('DELETE', '/__sandbox/requests', (req) => {
    req.world.requestLog.clear();
    return { status: 204 };
  }),
  route('GET', '/__sandbox/faults', (req) => ok(req.world.faults.current)),
  route('POST', '/__sandbox/faults', (req) => ok(req.world.faults.set(parseBody(faultsBody, req.body)))),
  route('POST', '/__sandbox/notices', (req) => ok(presentItem(req.world, playNotice(req.world.notices, parseBody(noticeBody, req.body)), req.baseUrl))),
  route('DELETE', '/__sandbox/notices', (req) => {
    req.world.notices.clear();
    return { status: 204 };
  }),
  route('DELETE', '/__sandbox/notices/:id', (req) => {
    req.world.notices.remove(Number(req.param('id')));
    return { status: 204 };
  }),
  /** Plays the person who completes the Salesforce login opened from authorize_url (C4). */
  route('POST', '/__sandbox/salesforce-authorize/:app', (req) => {
    const connections = authorizeSalesforce(req.world, findApp(req.world, req.param('app')));
    return ok({ connections: connections.map((c) => ({ id: c.id, state: c.state })) });
  }),
  /** Plays the person who aborts a mapping's load in the Heroku Connect dashboard (no API does it). */
  route('POST', '/__sandbox/mapping-abort/:app/:object', (req) => {
    abortNewestLoad(req.world, findApp(req.world, req.param('app')), req.param('object'));
    return { status: 204 };
  }),
  /** Puts an app's connections in a state, e.g. SYSTEM_ERROR to exercise actions/restart; IDLE puts them back. */
  route('POST', '/__sandbox/connection-state/:app', (req) => {
    const app = findApp(req.world, req.param('app'));
    const { state } = parseBody(connectionStateBody, req.body);
    const connections = [...req.world.connections.values()].filter((c) => c.appId === app.id);
    for (const connection of connections) failConnection(req.world, connection, state);
    return ok({ connections: connections.map((c) => ({ id: c.id, state: c.state })) });
  }),
  /** Puts a mapping in an error state (BULK_LOAD_ERROR...); DATA_SYNCED puts it back. */
  route('POST', '/__sandbox/mapping-state/:app', (req) => {
    const { object, state } = parseBody(mappingStateBody, req.body);
    failMapping(req.world, findApp(req.world, req.param('app')), object, state);
    return { status: 204 };
  }),
  /** Someone deletes a mapped field in Salesforce: the mapping's sync stops at its next poll. */
  route('POST', '/__sandbox/salesforce/:app/delete-field', (req) => {
    const { object, field } = parseBody(deleteFieldBody, req.body);
    return ok({ mappings: deleteSalesforceField(req.world, findApp(req.world, req.param('app')), object, field) });
  }),
  /** Salesforce refuses writes from the database: they become write errors (C11). */
  route('POST', '/__sandbox/salesforce/:app/refuse-writes', (req) => {
    const { object, count, message } = parseBody(refuseWritesBody, req.body);
    return ok({ writeErrors: refuseWrites(req.world, findApp(req.world, req.param('app')), object, count, message) });
  }),
  /** The org's daily Salesforce API calls run out (or reset). */
  route('POST', '/__sandbox/salesforce/:app/api-limit', (req) => {
    exhaustApiCalls(req.world, findApp(req.world, req.param('app')), parseBody(apiLimitBody, req.body).exhausted);
    return { status: 204 };
  }),
  /** Heroku deprecates a Postgres major version (now, or at `at`): pg:info shows a Warning. */
  route('POST', '/__sandbox/versions/:major/deprecate', (req) => {
    const major = Number(req.param('major'));
    if (!SUPPORTED_VERSIONS.includes(major)) throw new ApiError(404, 'not_found', `Postgres ${req.param('major')} is not a version of the simulated Heroku.`);
    const { at } = parseBody(deprecateBody, req.body);
    const when = at === undefined ? req.world.clock.now() : new Date(at).getTime();
    const deprecation = req.world.versions.deprecate(major, when);
    const iso = (t: number) => req.world.clock.iso(t);
    return ok({ major, deprecatedAt: iso(deprecation.deprecatedAt), forcedUpgradesFrom: iso(deprecation.forcedUpgradesFrom), endOfLife: iso(deprecation.endOfLife) });
  }),
  route('POST', '/__sandbox/clock', (req) => {
    const { advanceMs } = parseBody(z.object({ advanceMs: z.number().min(0).default(0) }), req.body);
    req.world.advance(advanceMs);
    return ok({ now: req.world.clock.iso(), timeScale: req.world.clock.timeScale });
  }),
  route('POST', '/__sandbox/reset', (req) => {
    req.world.reset(parseBody(z.object({ seed: z.enum(['default', 'empty']).optional() }), req.body).seed);
    return ok(worldState(req.world));
  }),
  route('GET', '/__sandbox/state', (req) => ok(worldState(req.world))),
];
