import type { Notice, Phase } from '../../world/notices.js';
import type { World } from '../../world/world.js';
import { ok, route } from '../../http/router.js';
import { HOUR } from '../../world/timings.js';

/** v4 `state`: maintenance announced ahead is `upcoming`, incidents `open`; `open` for running maintenance is a guess. */
const STATE: Record<Phase, string> = {
  scheduled: 'upcoming',
  in_progress: 'open',
  open: 'open',
  completed: 'resolved',
  canceled: 'resolved',
  resolved: 'resolved',
};

/** A v4 incident or scheduled item (docs/reference/heroku-status-feeds.md §5.2); updates newest first. */
export function presentItem(world: World, notice: Notice, baseUrl: string) {
  const iso = (t: number) => world.clock.iso(t);
  return {
    id: notice.id,
    title: notice.title,
    state: STATE[notice.phase],
    resolved: notice.resolved,
    resolved_at: notice.resolvedAt === undefined ? null : iso(notice.resolvedAt),
    duration: notice.resolvedAt === undefined ? null : Math.round((notice.resolvedAt - notice.createdAt) / 1000),
    created_at: iso(notice.createdAt),
    updated_at: iso(notice.updatedAt),
    full_url: `${baseUrl}/incidents/${notice.id}`,
    systems: notice.systems.map((name) => ({ name, status: notice.color(), services: [name] })),
    tags: notice.tags,
    updates: notice.updates.map((u) => ({
      id: u.id,
      incident_id: notice.id,
      created_at: iso(u.createdAt),
      updated_at: iso(u.createdAt),
      update_type: u.type,
      contents: u.contents,
      title: notice.title,
      status_dev: 'green',
      status_prod: u.color,
    })),
  };
}

/** Finished maintenance stays in `scheduled[]` for a while, as observed on the real site. */
const KEEP_RESOLVED = 24 * HOUR;

/** status.heroku.com: the feeds a maintenance watcher polls (no auth; ETag handled by the server). */
export const herokuStatusRoutes = [
  route('GET', '/api/v4/current-status', (req) => {
    const { notices, clock } = req.world;
    const colors = notices.systemColors();
    const recent = (n: Notice) => !n.resolved || clock.now() - (n.resolvedAt ?? 0) < KEEP_RESOLVED;
    return ok({
      status: Object.entries(colors).map(([system, status]) => ({ system, status })),
      incidents: notices.list().filter((n) => n.kind === 'incident' && !n.resolved).map((n) => presentItem(req.world, n, req.baseUrl)),
      scheduled: notices.list().filter((n) => n.kind === 'maintenance' && recent(n)).map((n) => presentItem(req.world, n, req.baseUrl)),
    });
  }),
  route('GET', '/api/v4/incidents', (req) => {
    const limit = Number(req.query.get('limit') ?? Infinity);
    return ok(req.world.notices.list().slice(0, limit).map((n) => presentItem(req.world, n, req.baseUrl)));
  }),
  route('GET', '/api/v4/incidents/:id', (req) => {
    const notice = req.world.notices.get(Number(req.param('id')));
    return notice ? ok(presentItem(req.world, notice, req.baseUrl)) : ok({ message: 'Not found' }, 404);
  }),
];
