import { invalidParams } from '../errors.js';
import { stableUuid } from './ids.js';

export type ServiceName = 'heroku-postgresql' | 'herokuconnect' | 'scheduler';
export type Tier = 'essential' | 'standard' | 'premium' | 'private' | 'shield';

export interface Plan {
  id: string;
  /** `service:plan`, as the API spells it: `heroku-postgresql:standard-0` */
  name: string;
  service: ServiceName;
  /** Postgres tier (from the part after `heroku-postgresql:`) */
  tier?: Tier;
  /** What pg:info prints: `Standard 0` */
  label: string;
  cents: number;
}

const postgres: Array<[string, number]> = [
  ['essential-0', 500], ['essential-1', 900], ['essential-2', 2000],
  ['standard-0', 5000], ['standard-2', 20000], ['standard-3', 40000], ['standard-4', 75000],
  ['premium-0', 20000], ['premium-2', 35000], ['premium-4', 120000],
  ['private-0', 30000], ['shield-0', 35000],
];
const connectPlans: Array<[string, number]> = [['demo', 0], ['enterprise', 0], ['shield', 0]];
/** Heroku Scheduler: jobs run one-off dynos on a schedule; the add-on has no public API (scheduler.ts). */
const schedulerPlans: Array<[string, number]> = [['standard', 0]];

const catalog = new Map<string, Plan>();
for (const [service, plans, defaultPlan] of [
  ['heroku-postgresql', postgres, 'essential-0'],
  ['herokuconnect', connectPlans, 'demo'],
  ['scheduler', schedulerPlans, 'standard'],
] as const) {
  for (const [short, cents] of plans) {
    const name = `${service}:${short}`;
    const tier = service === 'heroku-postgresql' ? (short.split('-')[0] as Tier) : undefined;
    const label = short.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ');
    catalog.set(name, { id: stableUuid(`plan:${name}`), name, service, tier, label, cents });
  }
  const fallback = catalog.get(`${service}:${defaultPlan}`);
  if (fallback) catalog.set(service, fallback);
}

export const serviceId = (service: ServiceName) => stableUuid(`service:${service}`);

/** Every plan of an add-on service (by name or id), its default first: the Platform API's Plan List By Add-on; undefined for an unknown service. */
export function plansOf(service: string): { plans: Plan[]; defaultPlan: Plan } | undefined {
  const defaultPlan = catalog.get(service) ?? [...catalog.entries()].find(([key, p]) => !key.includes(':') && serviceId(p.service) === service)?.[1];
  if (!defaultPlan) return undefined;
  const plans = [...new Set(catalog.values())].filter((p) => p.service === defaultPlan.service);
  return { plans, defaultPlan };
}

/** A plan by name (`heroku-postgresql:standard-0`) or id; a bare service name means its default plan. */
export function findPlan(nameOrId: string): Plan {
  const plan = catalog.get(nameOrId) ?? [...catalog.values()].find((p) => p.id === nameOrId);
  if (!plan) {
    throw invalidParams(`Couldn't find either the add-on service or the add-on plan of "${nameOrId}".`);
  }
  return plan;
}

export const isPostgres = (plan: Plan) => plan.service === 'heroku-postgresql';

/** "Followers are only supported on Standard, Premium, and Private and Shield tier database plans." */
export const isEssential = (plan: Plan) => plan.tier === 'essential';
