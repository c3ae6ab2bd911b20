import { z } from 'zod';

/**
 * Response bodies the runbooks depend on, checked on arrival: a malformed answer becomes a typed
 * error instead of a crash or a wrong decision later. Fields nobody reads are left out; objects are
 * loose so that everything Heroku sent is still there for logs and `--json` output.
 */

const ref = z.looseObject({ id: z.string(), name: z.string() });
const timestamp = z.string().nullable().optional();

/**
 * A failure's body: `{id, message}` from the Platform and data APIs, `{message}` or `{error}` from
 * Connect. A field of another type is dropped, not the whole body.
 */
export const errorBodySchema = z.object({
  id: z.string().optional().catch(undefined),
  message: z.string().optional().catch(undefined),
  error: z.string().optional().catch(undefined),
});

// Platform API (api.heroku.com)

export const appSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  maintenance: z.boolean(),
  region: ref.nullable().optional(),
  released_at: timestamp,
  web_url: z.string().nullable().optional(),
});
export type App = z.infer<typeof appSchema>;

export const formationSchema = z.looseObject({
  id: z.string(),
  type: z.string(),
  quantity: z.number(),
  size: z.string().optional(),
  command: z.string().optional(),
});
export type Formation = z.infer<typeof formationSchema>;

export const configVarsSchema = z.record(z.string(), z.string());
export type ConfigVars = z.infer<typeof configVarsSchema>;

/** Add-on `state`: the schema's three, plus those the CLI handles. */
export const addOnStateSchema = z.enum(['provisioning', 'provisioned', 'deprovisioning', 'deprovisioned', 'suspended']);
export type AddOnState = z.infer<typeof addOnStateSchema>;

/** A plan of an add-on service (Platform API `plan`): `heroku-postgresql:standard-0`, `public`. */
export const planSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  state: z.string().optional(),
  human_name: z.string().optional(),
});
export type AddOnPlan = z.infer<typeof planSchema>;

export const addOnSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  state: addOnStateSchema,
  plan: ref,
  addon_service: ref,
  app: ref,
  config_vars: z.array(z.string()).default([]),
  provision_message: z.string().nullable().optional(),
  created_at: timestamp,
  updated_at: timestamp,
});
export type AddOn = z.infer<typeof addOnSchema>;

export const addOnAttachmentSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  namespace: z.string().nullable().optional(),
  addon: z.looseObject({ id: z.string(), name: z.string(), app: ref.optional(), plan: ref.optional() }),
  app: ref,
  /** Present with `Accept-Inclusion: config_vars`. */
  config_vars: z.array(z.string()).optional(),
});
export type AddOnAttachment = z.infer<typeof addOnAttachmentSchema>;

export const releaseSchema = z.looseObject({
  id: z.string(),
  version: z.number(),
  description: z.string(),
  status: z.enum(['pending', 'succeeded', 'failed', 'expired']),
  current: z.boolean().optional(),
  created_at: timestamp,
  /** When its status last changed: for a release that ran a release phase, when that ended. */
  updated_at: timestamp,
});
export type Release = z.infer<typeof releaseSchema>;

/** A dyno: the formation's (`web.1`) and one-off ones (`run.1042` type `run`, `scheduler.1077` type `scheduler`). */
export const dynoSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  command: z.string().optional(),
  state: z.string().optional(),
  created_at: timestamp.optional(),
});
export type Dyno = z.infer<typeof dynoSchema>;

export const rateLimitSchema = z.looseObject({ remaining: z.number() });
export type RateLimit = z.infer<typeof rateLimitSchema>;

// Postgres data API (api.data.heroku.com)

export const infoRowSchema = z.looseObject({
  name: z.string(),
  values: z.array(z.unknown()).transform((values) => values.map(String)),
  resolve_db_name: z.boolean().optional(),
});
export type InfoRow = z.infer<typeof infoRowSchema>;

export const databaseSchema = z.looseObject({
  addon_id: z.string(),
  name: z.string(),
  plan: z.string().optional(),
  postgres_version: z.string().nullable().optional(),
  /** The leader's postgres URL, on followers only. */
  following: z.string().nullable().optional(),
  leader: z.unknown().optional(),
  'waiting?': z.boolean().optional(),
  num_bytes: z.number().optional(),
  num_tables: z.number().optional(),
  info: z.array(infoRowSchema),
});
export type Database = z.infer<typeof databaseSchema>;

export const waitStatusSchema = z.looseObject({
  'waiting?': z.boolean(),
  message: z.string(),
  'error?': z.boolean().optional(),
  step: z.string().nullable().optional(),
});
export type WaitStatus = z.infer<typeof waitStatusSchema>;

export const messageSchema = z.looseObject({ message: z.string() });

export const transferSchema = z.looseObject({
  uuid: z.string(),
  num: z.number().optional(),
  from_name: z.string().nullable().optional(),
  to_name: z.string().nullable().optional(),
  succeeded: z.boolean().nullable().optional(),
  processed_bytes: z.number().nullable().optional(),
  source_bytes: z.number().nullable().optional(),
  created_at: timestamp,
  started_at: timestamp,
  finished_at: timestamp,
  canceled_at: timestamp,
  logs: z.array(z.looseObject({ created_at: z.string().optional(), level: z.string().optional(), message: z.string() })).optional(),
});
export type Transfer = z.infer<typeof transferSchema>;

// Heroku Connect API (discovery and the regional API, /api/v3)

export const discoveredConnectionSchema = z.looseObject({
  id: z.string(),
  resource_name: z.string(),
  app_name: z.string(),
  region_url: z.string(),
  detail_url: z.string(),
  region: z.string().optional(),
});
export type DiscoveredConnection = z.infer<typeof discoveredConnectionSchema>;

export const discoverySchema = z.looseObject({ results: z.array(discoveredConnectionSchema) });
export const connectAuthSchema = z.looseObject({ connections: z.array(discoveredConnectionSchema).default([]) });

const count = z.number().nullable().optional();

export const mappingSchema = z.looseObject({
  id: z.string(),
  object_name: z.string(),
  state: z.string(),
  state_description: z.string().nullable().optional(),
  counts: z.looseObject({ db: count, sf: count, pending: count, errors: count }).optional(),
  /** How often the mapping polls Salesforce. */
  sf_polling_seconds: z.number().nullable().optional(),
  /** When it last polled Salesforce (`sf_poll`) and wrote to it; Heroku's format `2025-07-16 20:12:43.734321+00:00`. */
  times: z.looseObject({ sf_poll: z.string().nullable().optional(), sf_write: z.string().nullable().optional() }).optional(),
  config: z
    .looseObject({
      access: z.string().optional(),
      revision: z.number().optional(),
      sf_polling_seconds: z.number().optional(),
      fields: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
});
export type Mapping = z.infer<typeof mappingSchema>;

export const connectionDetailSchema = z.looseObject({
  id: z.string(),
  name: z.string().nullable().optional(),
  resource_name: z.string(),
  app_name: z.string().optional(),
  state: z.string(),
  db_key: z.string().nullable().optional(),
  schema_name: z.string().nullable().optional(),
  mappings: z.array(mappingSchema).default([]),
});

/** A connection as the runbooks use it: detail (`?deep=true`) merged over discovery, as the CLI does. */
export type Connection = z.infer<typeof connectionDetailSchema> & { region_url: string };

export const authorizeUrlSchema = z.looseObject({ redirect: z.string() });

export const validationItemSchema = z.looseObject({
  rule_id: z.string().optional(),
  display_name: z.string().optional(),
  message: z.string().optional(),
  status: z.string().optional(),
  doc_url: z.string().optional(),
});
const validationGroup = {
  errors: z.array(validationItemSchema).optional(),
  warnings: z.array(validationItemSchema).optional(),
  passes: z.array(validationItemSchema).optional(),
  skips: z.array(validationItemSchema).optional(),
};
export const validationResultSchema = z.looseObject({
  ...validationGroup,
  mappings: z.record(z.string(), z.looseObject(validationGroup)).optional(),
});
export type ValidationResult = z.infer<typeof validationResultSchema>;
export const validationStartedSchema = z.looseObject({ result_url: z.string() });

export const writeErrorsSchema = z.looseObject({
  count: z.number(),
  results: z.array(z.looseObject({ id: z.union([z.string(), z.number()]), table_name: z.string().optional(), record_id: z.union([z.string(), z.number()]).optional(), message: z.string(), created_at: z.string().optional() })),
});
export type WriteErrors = z.infer<typeof writeErrorsSchema>;

/** C16: an object's fields as Salesforce describes them; the plugin reads `name` and `required`. */
export const objectSchemaSchema = z.looseObject({
  fields: z.array(z.looseObject({ name: z.string(), required: z.boolean().optional() })),
});
export type ObjectSchema = z.infer<typeof objectSchemaSchema>;

export const notificationsSchema = z.looseObject({
  results: z.array(z.looseObject({ id: z.union([z.string(), z.number()]), created_at: z.string().optional(), event_type: z.string(), message: z.string() })),
});
export type Notification = z.infer<typeof notificationsSchema>['results'][number];

/** The export/import file (docs/reference/heroku-connect-api.md, "Export / import file"); kept whole, only its outline is checked. */
export const connectConfigurationSchema = z.looseObject({
  mappings: z.array(z.looseObject({ object_name: z.string(), config: z.record(z.string(), z.unknown()) })),
  connection: z.record(z.string(), z.unknown()).optional(),
  version: z.number().optional(),
});
export type ConnectConfiguration = z.infer<typeof connectConfigurationSchema>;
