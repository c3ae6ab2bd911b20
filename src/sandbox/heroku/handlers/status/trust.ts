import type { Notice, NoticeUpdate, Phase, SystemName } from '../../world/notices.js';
import type { World } from '../../world/world.js';
import { ok, route } from '../../http/router.js';

const SERVICE_KEYS: Record<SystemName, string> = { Apps: 'HerokuApps', Data: 'HerokuData', Tools: 'PlatformAPI' };
const INSTANCES: Record<string, string> = { NA: 'Heroku North America', EMEA: 'Heroku Europe', APAC: 'Heroku Asia' };

/** `message.eventStatus` of a Trust maintenance (values other than `resolved` are guesses). */
const EVENT_STATUS: Partial<Record<Phase, string>> = {
  scheduled: 'confirmed',
  in_progress: 'inProgress',
  completed: 'resolved',
  canceled: 'canceled',
};

const instanceKeys = (notice: Notice) => notice.tags.map((t) => INSTANCES[t] ?? t);

function eventType(notice: Notice, update: NoticeUpdate): string {
  if (update.type === 'scheduled') return update === notice.updates.at(-1) ? 'scheduled' : 'rescheduled';
  if (update.type === 'maintenance') return 'inProgress';
  if (update.type === 'resolved') return notice.phase === 'canceled' ? 'canceled' : 'completed';
  return 'herokuIncident';
}

/** A Salesforce Trust maintenance: the window as `plannedStartTime`/`plannedEndTime`. */
function presentMaintenance(world: World, notice: Notice) {
  const iso = (t: number) => world.clock.iso(t);
  const start = iso(notice.window?.start ?? notice.createdAt);
  const end = iso(notice.window?.end ?? notice.createdAt);
  return {
    additionalInformation: notice.updates[0]?.contents ?? '',
    affectsAll: false,
    createdAt: iso(notice.createdAt),
    externalId: String(notice.id),
    externalMaintenanceType: null,
    id: notice.trustId,
    instanceKeys: instanceKeys(notice),
    isCore: false,
    MaintenanceEvents: notice.updates.map((u) => ({ createdAt: iso(u.createdAt), id: u.id, message: u.contents, type: eventType(notice, u), updatedAt: iso(u.createdAt) })),
    MaintenanceImpacts: [
      { createdAt: iso(notice.createdAt), endTime: end, id: notice.id, severity: 'maintenance', startTime: start, type: 'scheduledMaintenance', updatedAt: iso(notice.updatedAt) },
    ],
    message: {
      availability: notice.phase === 'in_progress' ? 'unavailable' : 'available',
      eventStatus: EVENT_STATUS[notice.phase] ?? 'confirmed',
      maintenanceType: 'scheduledMaintenance',
    },
    name: notice.title,
    plannedEndTime: end,
    plannedStartTime: start,
    releaseType: null,
    serviceKeys: notice.systems.map((s) => SERVICE_KEYS[s]),
    substrate: null,
    updatedAt: iso(notice.updatedAt),
  };
}

function presentIncident(world: World, notice: Notice) {
  const iso = (t: number) => world.clock.iso(t);
  return {
    additionalInformation: '',
    affectsAll: false,
    createdAt: iso(notice.createdAt),
    externalId: String(notice.id),
    id: notice.trustId,
    IncidentEvents: notice.updates.map((u) => ({ createdAt: iso(u.createdAt), id: u.id, message: u.contents, type: eventType(notice, u), updatedAt: iso(u.createdAt) })),
    IncidentImpacts: [
      { createdAt: iso(notice.createdAt), endTime: null, id: notice.id, severity: notice.severity, startTime: iso(notice.createdAt), type: 'herokuDataFeatureDisruption', updatedAt: iso(notice.updatedAt) },
    ],
    instanceKeys: instanceKeys(notice),
    isCore: false,
    message: { actionPlan: null, pathToResolution: null, rootCause: null },
    serviceKeys: notice.systems.map((s) => SERVICE_KEYS[s]),
    updatedAt: iso(notice.updatedAt),
  };
}

const mirrored = (world: World, kind: Notice['kind']) => world.notices.list().filter((n) => n.kind === kind && n.trustId !== undefined);

/** api.status.salesforce.com/v1, as `heroku status` and the maintenance watcher call it. */
export const trustRoutes = [
  /** `?startTime=` keeps maintenances not ended by then; `limit`, `offset`, `product`, `instance` as Trust takes them. */
  route('GET', '/v1/maintenances', (req) => {
    const q = req.query;
    if (q.get('product') && q.get('product') !== 'Heroku') return ok([]);
    const since = q.get('startTime') ? Date.parse(q.get('startTime') ?? '') : -Infinity;
    const instance = q.get('instance');
    const offset = Number(q.get('offset') ?? 0);
    const limit = Number(q.get('limit') ?? 100);
    const selected = mirrored(req.world, 'maintenance')
      .filter((n) => (n.window?.end ?? 0) >= since && (!instance || instanceKeys(n).includes(instance)))
      .sort((a, b) => (a.window?.start ?? 0) - (b.window?.start ?? 0));
    return ok(selected.slice(offset, offset + limit).map((n) => presentMaintenance(req.world, n)));
  }),
  route('GET', '/v1/incidents/active', (req) =>
    ok(mirrored(req.world, 'incident').filter((n) => !n.resolved).map((n) => presentIncident(req.world, n))),
  ),
  route('GET', '/v1/instances', (req) => {
    const active = req.world.notices.list().filter((n) => !n.resolved);
    return ok(
      Object.entries(INSTANCES).map(([location, key]) => {
        const here = active.filter((n) => n.tags.includes(location));
        const status = here.some((n) => n.phase === 'open') ? 'MINOR_INCIDENT_CORE' : here.some((n) => n.phase === 'in_progress') ? 'MAINTENANCE_CORE' : 'OK';
        return {
          key,
          location,
          environment: 'production',
          isActive: true,
          status,
          Products: [{ key: 'Heroku', name: 'Heroku', isActive: true, order: 60, url: '/products/Heroku' }],
          Services: Object.values(SERVICE_KEYS).map((s, order) => ({ key: s, isCore: false, order: order + 1 })),
          Incidents: [],
          Tags: [],
        };
      }),
    );
  }),
  route('GET', '/v1/localizations', () =>
    ok([
      { id: 1, locale: 'en', modelAttribute: 'label', modelKey: 'herokuIncident', modelName: 'incidentEventType', text: 'Heroku - Incident' },
      { id: 2, locale: 'en', modelAttribute: 'label', modelKey: 'scheduled', modelName: 'maintenanceEventType', text: 'Maintenance Scheduled' },
    ]),
  ),
];
