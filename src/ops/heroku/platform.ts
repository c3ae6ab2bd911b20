import { z } from 'zod';
import { endpoint, seg } from './endpoint.js';
import type { CallOptions, HerokuHttp, Method, RequestOptions } from './http.js';
import {
  addOnAttachmentSchema,
  addOnSchema,
  appSchema,
  configVarsSchema,
  dynoSchema,
  formationSchema,
  planSchema,
  rateLimitSchema,
  releaseSchema,
  type AddOn,
  type AddOnAttachment,
  type AddOnPlan,
  type App,
  type ConfigVars,
  type Dyno,
  type Formation,
  type RateLimit,
  type Release,
} from './types.js';

/**
 * The Heroku Platform API calls the runbooks need. Bodies follow Heroku's published hyper-schema
 * (plans and add-ons by name as strings, config values as strings): test/ops/heroku/schema.test.ts
 * checks every request against it.
 */

export interface FormationUpdate {
  type: string;
  quantity?: number;
  dyno_size?: { name: string } | { id: string };
}

export interface CreateAddOnInput {
  /** e.g. `heroku-postgresql:standard-0` */
  plan: string;
  /** Name of the initial attachment, e.g. `DATABASE_FOLLOWER` (Postgres picks `HEROKU_POSTGRESQL_<COLOR>` otherwise). */
  attachmentName?: string;
  /** Globally unique add-on name. */
  name?: string;
  /** Provisioning options, e.g. `{ follow: 'DATABASE_URL' }` or `{ version: '16' }`. */
  config?: Record<string, string>;
  confirm?: string;
}

export interface CreateAttachmentInput {
  /** Add-on id or name. */
  addon: string;
  app: string;
  /** e.g. `DATABASE` to promote; omitted, Heroku picks a name. */
  name?: string;
  namespace?: string | null;
  /** The app's name: required to replace an existing attachment of the same name (promote). */
  confirm?: string;
}

// Lists include each attachment's config vars and the add-on's plan.
const ATTACHMENT_INCLUSION = { 'Accept-Inclusion': 'addon:plan,config_vars' };
// As the CLI: the plan is expanded and provisioning messages come back on create/update.
const ADDON_CREATE_HEADERS = { 'Accept-Expansion': 'plan', 'X-Heroku-Legacy-Provider-Messages': 'true' };

export class PlatformClient {
  constructor(
    private readonly http: HerokuHttp,
    private readonly baseUrl: string,
  ) {}

  app(app: string, options?: CallOptions): Promise<App> {
    return this.http.request(appSchema, this.req(`/apps/${seg(app)}`, options));
  }

  /** Maintenance mode serves a static page from web dynos; worker dynos keep running (scale them separately). */
  setMaintenance(app: string, maintenance: boolean, options?: CallOptions): Promise<App> {
    return this.http.request(appSchema, this.req(`/apps/${seg(app)}`, options, 'PATCH', { maintenance }));
  }

  formation(app: string, options?: CallOptions): Promise<Formation[]> {
    return this.http.list(formationSchema, this.req(`/apps/${seg(app)}/formation`, options));
  }

  updateFormation(app: string, updates: FormationUpdate[], options?: CallOptions): Promise<Formation[]> {
    return this.http.request(formationSchema.array(), this.req(`/apps/${seg(app)}/formation`, options, 'PATCH', { updates }));
  }

  configVars(app: string, options?: CallOptions): Promise<ConfigVars> {
    return this.http.request(configVarsSchema, this.req(`/apps/${seg(app)}/config-vars`, options));
  }

  /** Sets keys, and removes those given `null`; returns the whole updated map. Creates a release. */
  updateConfigVars(app: string, changes: Record<string, string | null>, options?: CallOptions): Promise<ConfigVars> {
    return this.http.request(configVarsSchema, this.req(`/apps/${seg(app)}/config-vars`, options, 'PATCH', changes));
  }

  /** Postgres provisions asynchronously: the add-on comes back `provisioning`. */
  createAddOn(app: string, input: CreateAddOnInput, options?: CallOptions): Promise<AddOn> {
    const body = {
      plan: input.plan,
      ...(input.attachmentName && { attachment: { name: input.attachmentName } }),
      ...(input.name && { name: input.name }),
      ...(input.config && { config: input.config }),
      ...(input.confirm && { confirm: input.confirm }),
    };
    return this.http.request(addOnSchema, { ...this.req(`/apps/${seg(app)}/addons`, options, 'POST', body), headers: ADDON_CREATE_HEADERS });
  }

  addOn(app: string, addon: string, options?: CallOptions): Promise<AddOn> {
    return this.http.request(addOnSchema, this.req(`/apps/${seg(app)}/addons/${seg(addon)}`, options));
  }

  addOns(app: string, options?: CallOptions): Promise<AddOn[]> {
    return this.http.list(addOnSchema, this.req(`/apps/${seg(app)}/addons`, options));
  }

  /** For Postgres this starts a long-running change: Heroku prepares a replacement, then swaps it in. */
  changeAddOnPlan(app: string, addon: string, plan: string, options?: CallOptions): Promise<AddOn> {
    return this.http.request(addOnSchema, { ...this.req(`/apps/${seg(app)}/addons/${seg(addon)}`, options, 'PATCH', { plan }), headers: ADDON_CREATE_HEADERS });
  }

  /** Answers `deprovisioned` (done) or `deprovisioning` (poll until 404). */
  destroyAddOn(app: string, addon: string, options?: CallOptions): Promise<AddOn> {
    return this.http.request(addOnSchema, this.req(`/apps/${seg(app)}/addons/${seg(addon)}`, options, 'DELETE'));
  }

  createAttachment(input: CreateAttachmentInput, options?: CallOptions): Promise<AddOnAttachment> {
    const body = {
      addon: input.addon,
      app: input.app,
      ...(input.name && { name: input.name }),
      ...(input.namespace !== undefined && { namespace: input.namespace }),
      ...(input.confirm && { confirm: input.confirm }),
    };
    return this.http.request(addOnAttachmentSchema, this.req('/addon-attachments', options, 'POST', body));
  }

  attachments(app: string, options?: CallOptions): Promise<AddOnAttachment[]> {
    return this.http.list(addOnAttachmentSchema, { ...this.req(`/apps/${seg(app)}/addon-attachments`, options), headers: ATTACHMENT_INCLUSION });
  }

  /** Every attachment of an add-on, on every app it is attached to (the billing app and others). */
  addOnAttachments(addon: string, options?: CallOptions): Promise<AddOnAttachment[]> {
    return this.http.list(addOnAttachmentSchema, { ...this.req(`/addons/${seg(addon)}/addon-attachments`, options), headers: ATTACHMENT_INCLUSION });
  }

  /** `DATABASE_URL`, `DATABASE` or `HEROKU_POSTGRESQL_WHITE` to the attachment(s) it names; 404 when none. */
  resolveAttachment(app: string, attachment: string, options?: CallOptions & { addonService?: string }): Promise<AddOnAttachment[]> {
    const body = { addon_attachment: attachment, app, ...(options?.addonService && { addon_service: options.addonService }) };
    return this.http.request(addOnAttachmentSchema.array(), {
      ...this.req('/actions/addon-attachments/resolve', options, 'POST', body),
      headers: ATTACHMENT_INCLUSION,
    });
  }

  deleteAttachment(attachmentId: string, options?: CallOptions): Promise<AddOnAttachment> {
    return this.http.request(addOnAttachmentSchema, this.req(`/addon-attachments/${seg(attachmentId)}`, options, 'DELETE'));
  }

  /** Every release, oldest first; with `newest`, only the newest N, newest first. */
  releases(app: string, options?: CallOptions & { newest?: number }): Promise<Release[]> {
    const range = options?.newest ? `version ..; order=desc, max=${options.newest}` : undefined;
    return this.http.list(releaseSchema, { ...this.req(`/apps/${seg(app)}/releases`, options), range });
  }

  release(app: string, idOrVersion: string | number, options?: CallOptions): Promise<Release> {
    return this.http.request(releaseSchema, this.req(`/apps/${seg(app)}/releases/${seg(idOrVersion)}`, options));
  }

  /** The app's dynos: the formation's and the one-off dynos running now (type `run`, `scheduler`). */
  dynos(app: string, options?: CallOptions): Promise<Dyno[]> {
    return this.http.list(dynoSchema, this.req(`/apps/${seg(app)}/dynos`, options));
  }

  /** Stops a dyno, as `heroku ps:stop` does; a one-off dyno ends for good (a formation dyno is replaced). */
  async stopDyno(app: string, dyno: string, options?: CallOptions): Promise<void> {
    await this.http.request(z.unknown(), this.req(`/apps/${seg(app)}/dynos/${seg(dyno)}/actions/stop`, options, 'POST'));
  }

  /** The plans of an add-on service, as `heroku addons:plans heroku-postgresql` lists them (Plan List By Add-on). */
  addOnServicePlans(service: string, options?: CallOptions): Promise<AddOnPlan[]> {
    return this.http.list(planSchema, this.req(`/addon-services/${seg(service)}/plans`, options));
  }

  /** Tokens left in the account's bucket; this call itself costs none. */
  rateLimits(options?: CallOptions): Promise<RateLimit> {
    return this.http.request(rateLimitSchema, { ...this.req('/account/rate-limits', options), free: true });
  }

  private req(path: string, options: CallOptions | undefined, method?: Method, json?: unknown): RequestOptions {
    return endpoint(this.baseUrl, path, options, method, json);
  }
}

/** The Postgres add-ons among an app's add-ons. */
export function isPostgresAddOn(addOn: Pick<AddOn, 'addon_service' | 'plan'>): boolean {
  return addOn.addon_service.name === 'heroku-postgresql' || addOn.plan.name.startsWith('heroku-postgresql:');
}

/** Essential plans (and legacy dev/basic/mini) have no followers, forks or prepared upgrades (docs/reference/heroku-platform-and-postgres-api.md, "Followers and Essential-tier limits"). */
export function isEssentialPlan(plan: string): boolean {
  return /^(essential|dev|basic|mini)/.test(plan.replace(/^heroku-postgresql:/, ''));
}
