import { z } from 'zod';
import { notFound } from '../../errors.js';
import { addOnApp, changePlan, createAddOn, destroyAddOn, findAddOn, type AddOn } from '../../world/addons.js';
import { mustChange, findApp } from '../../world/apps.js';
import { attachmentName, attachmentsOf } from '../../world/attachments.js';
import { plansOf, serviceId } from '../../world/plans.js';
import type { World } from '../../world/world.js';
import { identity, identityOf, parseBody } from '../../http/body.js';
import { paged, type Ranged } from '../../http/paging.js';
import { ok, route, type ApiRequest } from '../../http/router.js';

/** The `add-on` definition of the Platform API schema. */
function presentAddOn(world: World, addon: AddOn) {
  const app = addOnApp(world, addon);
  const exposesUrl = addon.url !== undefined && addon.state === 'provisioned';
  return {
    actions: [],
    addon_service: { id: serviceId(addon.plan.service), name: addon.plan.service },
    billing_entity: { id: app.id, name: app.name, type: 'app' },
    app: { id: app.id, name: app.name },
    billed_price: { cents: addon.plan.cents, contract: false, unit: 'month' },
    config_vars: exposesUrl ? attachmentsOf(world, { app, addon }).map((a) => `${a.name}_URL`) : [],
    created_at: world.clock.iso(addon.createdAt),
    id: addon.id,
    name: addon.name,
    plan: { id: addon.plan.id, name: addon.plan.name },
    provider_id: `resource${addon.id.slice(0, 8)}@heroku.com`,
    ...(addon.state === 'provisioning' ? { provision_message: addon.url ? 'The database should be available in 3-5 minutes.' : 'Heroku Connect is being provisioned.' } : {}),
    state: addon.state,
    updated_at: world.clock.iso(addon.updatedAt),
    web_url: addon.url ? `https://data.heroku.com/datastores/${addon.id}` : `https://connect.heroku.com/sync/${addon.id}`,
  };
}

const ranged: Ranged<AddOn> = { defaultField: 'id', fields: { id: (a) => a.id, name: (a) => a.name } };

const createBody = z.object({
  plan: identity,
  name: z.string().regex(/^[a-zA-Z][A-Za-z0-9_-]+$/).optional(),
  attachment: z.object({ name: z.string().optional() }).optional(),
  config: z.record(z.string(), z.union([z.string(), z.boolean()])).optional(),
  confirm: z.string().optional(),
});
const updateBody = z.object({ plan: identity, name: z.string().optional() });
const resolveBody = z.object({ addon: z.string(), app: z.string().optional(), addon_service: z.string().optional() });

const list = (req: ApiRequest, addons: AddOn[]) => paged(req, addons, ranged, (a) => presentAddOn(req.world, a));
const appOf = (req: ApiRequest) => findApp(req.world, req.param('app'));

export const addonRoutes = [
  /** Plan List By Add-on (`heroku addons:plans heroku-postgresql`): the `plan` definition of the Platform API schema. */
  route('GET', '/addon-services/:service/plans', (req) => {
    const found = plansOf(req.param('service'));
    if (!found) throw notFound('add-on service', `Couldn't find that add-on service.`);
    return ok(
      found.plans.map((plan) => ({
        addon_service: { id: serviceId(plan.service), name: plan.service },
        compliance: null,
        created_at: '2012-01-01T00:00:00Z',
        default: plan === found.defaultPlan,
        description: plan.label,
        human_name: plan.label,
        id: plan.id,
        installable_inside_private_network: plan.tier === 'private' || plan.tier === 'shield',
        installable_outside_private_network: plan.tier !== 'private' && plan.tier !== 'shield',
        name: plan.name,
        price: { cents: plan.cents, contract: false, unit: 'month' },
        space_default: false,
        state: 'public',
        updated_at: '2012-01-01T00:00:00Z',
        visible: true,
      })),
    );
  }),
  route('GET', '/addons', (req) => list(req, [...req.world.addons.values()])),
  route('GET', '/addons/:addon', (req) => ok(presentAddOn(req.world, findAddOn(req.world, req.param('addon'))))),
  route('GET', '/apps/:app/addons', (req) => {
    const app = appOf(req);
    return list(req, [...req.world.addons.values()].filter((a) => a.appId === app.id || attachmentsOf(req.world, { app, addon: a }).length));
  }),
  route('GET', '/apps/:app/addons/:addon', (req) => ok(presentAddOn(req.world, findAddOn(req.world, req.param('addon'), appOf(req))))),
  route('POST', '/apps/:app/addons', (req) => {
    const body = parseBody(createBody, req.body);
    const addon = createAddOn(req.world, mustChange(appOf(req)), {
      plan: identityOf(body.plan),
      name: body.name,
      as: body.attachment?.name,
      confirm: body.confirm,
      config: body.config,
    });
    return ok(presentAddOn(req.world, addon), 201);
  }),
  route('PATCH', '/apps/:app/addons/:addon', (req) => {
    const addon = findAddOn(req.world, req.param('addon'), mustChange(appOf(req)));
    return ok(presentAddOn(req.world, changePlan(req.world, addon, identityOf(parseBody(updateBody, req.body).plan))));
  }),
  route('DELETE', '/apps/:app/addons/:addon', (req) => {
    const addon = findAddOn(req.world, req.param('addon'), mustChange(appOf(req)));
    return ok(presentAddOn(req.world, destroyAddOn(req.world, addon)));
  }),
  /** Add-ons by name, id or (with an app) attachment name such as DATABASE_URL. */
  route('POST', '/actions/addons/resolve', (req) => {
    const body = parseBody(resolveBody, req.body);
    const app = body.app ? findApp(req.world, body.app) : undefined;
    const matches = [...req.world.addons.values()].filter(
      (a) =>
        (a.id === body.addon || a.name === body.addon || (app && attachmentsOf(req.world, { app, addon: a }).some((x) => x.name === attachmentName(body.addon)))) &&
        (!body.addon_service || a.plan.service === body.addon_service),
    );
    if (!matches.length) throw notFound('add_on', `Couldn't find that add-on.`);
    return ok(matches.map((a) => presentAddOn(req.world, a)));
  }),
];
