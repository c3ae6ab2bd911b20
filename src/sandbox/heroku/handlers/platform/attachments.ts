import { z } from 'zod';
import { notFound } from '../../errors.js';
import { findAddOn } from '../../world/addons.js';
import { appById, findApp, mustChange } from '../../world/apps.js';
import { attach, attachmentName, attachmentsOf, detach, findAttachment, mustKeepBillingAttachment, type Attachment } from '../../world/attachments.js';
import { configVars } from '../../world/config-vars.js';
import type { World } from '../../world/world.js';
import { identity, identityOf, parseBody } from '../../http/body.js';
import { paged, type Ranged } from '../../http/paging.js';
import { ok, route, type ApiRequest } from '../../http/router.js';

/**
 * The `add-on-attachment` definition. `Accept-Inclusion: addon:plan,config_vars` adds the add-on's
 * plan and the attachment's config vars, as the CLI's resolver asks.
 */
function presentAttachment(world: World, attachment: Attachment, inclusion = '') {
  const addon = world.addons.get(attachment.addonId);
  const app = appById(world, attachment.appId);
  const owner = addon && appById(world, addon.appId);
  const vars = app ? Object.keys(configVars(world, app)).filter((k) => k === `${attachment.name}_URL`) : [];
  return {
    addon: {
      id: attachment.addonId,
      name: addon?.name ?? '',
      app: { id: owner?.id ?? '', name: owner?.name ?? '' },
      ...(inclusion.includes('addon:plan') && addon ? { plan: { id: addon.plan.id, name: addon.plan.name } } : {}),
    },
    app: { id: app?.id ?? '', name: app?.name ?? '' },
    created_at: world.clock.iso(attachment.createdAt),
    id: attachment.id,
    name: attachment.name,
    namespace: attachment.namespace,
    updated_at: world.clock.iso(attachment.updatedAt),
    web_url: addon?.url ? `https://data.heroku.com/datastores/${addon.id}` : null,
    log_input_url: null,
    ...(inclusion.includes('config_vars') ? { config_vars: vars } : {}),
  };
}

const ranged: Ranged<Attachment> = { defaultField: 'id', fields: { id: (a) => a.id, name: (a) => a.name } };

const createBody = z.object({
  addon: identity,
  app: identity,
  confirm: z.string().optional(),
  name: z.string().optional(),
  namespace: z.string().nullable().optional(),
});
const resolveBody = z.object({ addon_attachment: z.string(), app: z.string().optional(), addon_service: z.string().optional() });

const inclusion = (req: ApiRequest) => String(req.headers['accept-inclusion'] ?? '');
const show = (req: ApiRequest, a: Attachment) => presentAttachment(req.world, a, inclusion(req));
const list = (req: ApiRequest, attachments: Attachment[]) => paged(req, attachments, ranged, (a) => show(req, a));

export const attachmentRoutes = [
  route('POST', '/addon-attachments', (req) => {
    const body = parseBody(createBody, req.body);
    const app = mustChange(findApp(req.world, identityOf(body.app)));
    const addon = findAddOn(req.world, identityOf(body.addon));
    return ok(show(req, attach(req.world, { addon, app, name: body.name, namespace: body.namespace, confirm: body.confirm })), 201);
  }),
  route('DELETE', '/addon-attachments/:id', (req) => {
    const attachment = findAttachment(req.world, req.param('id'));
    const owner = appById(req.world, attachment.appId);
    if (owner) mustChange(owner);
    mustKeepBillingAttachment(req.world, attachment);
    const shown = show(req, attachment);
    detach(req.world, attachment);
    return ok(shown);
  }),
  route('GET', '/addon-attachments', (req) => list(req, [...req.world.attachments.values()])),
  route('GET', '/addon-attachments/:id', (req) => ok(show(req, findAttachment(req.world, req.param('id'))))),
  route('GET', '/apps/:app/addon-attachments', (req) => list(req, attachmentsOf(req.world, { app: findApp(req.world, req.param('app')) }))),
  route('GET', '/addons/:addon/addon-attachments', (req) => list(req, attachmentsOf(req.world, { addon: findAddOn(req.world, req.param('addon')) }))),
  route('GET', '/apps/:app/addon-attachments/:name', (req) =>
    ok(show(req, findAttachment(req.world, req.param('name'), findApp(req.world, req.param('app'))))),
  ),
  /** `DATABASE_URL` on an app (or `app::DATABASE_URL`) to the attachment(s) it names. */
  route('POST', '/actions/addon-attachments/resolve', (req) => {
    const body = parseBody(resolveBody, req.body);
    const [appName, name] = body.addon_attachment.includes('::') ? body.addon_attachment.split('::') : [body.app, body.addon_attachment];
    const app = appName ? findApp(req.world, appName) : undefined;
    const matches = [...req.world.attachments.values()].filter(
      (a) =>
        (!app || a.appId === app.id) &&
        (a.name === attachmentName(name ?? '') || a.id === name) &&
        (!body.addon_service || req.world.addons.get(a.addonId)?.plan.service === body.addon_service),
    );
    if (!matches.length) throw notFound('add_on attachment', `Couldn't find that add on attachment.`);
    return ok(matches.map((a) => show(req, a)));
  }),
];
