import { z } from 'zod';

/**
 * The shape a Slack request body must have before Bolt reads it. Bolt reads fields such as
 * `body.ssl_check`, `body.user.team_id` or `body.channel.id` without checking them, so a signed
 * `null`, an array, or a `block_actions` without its user would throw inside Bolt (and `null`
 * kills the process). Anything else Slack sends passes: unknown fields are kept.
 */

const id = z.string().min(1).max(255);
const optionalString = z.string().max(100_000).optional();
const entity = z.looseObject({ id });

/** `/connect` and any other slash command, form-encoded: one value per field (a repeated field is an array). */
const slashCommand = z.record(z.string(), z.string()).and(
  // The text has no bound here: an overlong command is answered with a clear message, not a bare 400.
  // Slack sends every command with its response_url: the only way to answer it after the ack.
  z.looseObject({ command: z.string().min(1).max(255), user_id: id, channel_id: id, text: z.string().optional(), response_url: z.string().regex(/^https?:\/\//).max(2048) }),
);

/** Fields Bolt dereferences on any body that carries them. */
const common = z.looseObject({
  type: z.string().max(255).optional(),
  token: optionalString,
  team: entity.nullable().optional(),
  enterprise: z.looseObject({ id: z.string().optional() }).nullable().optional(),
  channel: entity.optional(),
  response_url: z.string().max(2048).optional(),
  trigger_id: z.string().max(255).optional(),
  authorizations: z.array(z.looseObject({})).optional(),
});

const interactive = common.and(z.looseObject({ type: z.string().max(255), user: z.looseObject({ id, team_id: z.string().optional() }) }));

const INTERACTIVE: Record<string, z.ZodType> = {
  block_actions: interactive.and(z.looseObject({ actions: z.array(z.looseObject({ action_id: z.string().max(255), action_ts: z.string().optional() })).min(1) })),
  block_suggestion: interactive.and(z.looseObject({ action_id: z.string().max(255) })),
  view_submission: interactive.and(z.looseObject({ view: z.looseObject({ id: z.string().optional(), callback_id: z.string().optional() }) })),
  view_closed: interactive.and(z.looseObject({ view: z.looseObject({ id: z.string().optional(), callback_id: z.string().optional() }) })),
  shortcut: interactive.and(z.looseObject({ callback_id: z.string().max(255) })),
  message_action: interactive.and(z.looseObject({ callback_id: z.string().max(255) })),
};

const event = common.and(
  z.looseObject({
    event: z
      .looseObject({ type: z.string().max(255), channel: z.union([z.string(), entity]).optional(), item: z.looseObject({}).optional() })
      .optional(),
  }),
);

/** Undefined when Bolt can read the body; else what is wrong with it, for the log. */
export function slackRequestProblem(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return `the body is ${body === null ? 'null' : Array.isArray(body) ? 'an array' : typeof body}, not an object`;
  const fields = body as Record<string, unknown>;
  let schema: z.ZodType;
  if ('command' in fields) schema = slashCommand;
  else if ('event' in fields || fields.type === 'url_verification' || fields.type === 'event_callback') schema = fields.type === 'url_verification' ? z.looseObject({ challenge: z.string().max(1024) }) : event;
  else if ('actions' in fields || 'user' in fields || 'view' in fields || 'callback_id' in fields || ('type' in fields && typeof fields.type === 'string' && fields.type in INTERACTIVE)) {
    schema = (typeof fields.type === 'string' ? INTERACTIVE[fields.type] : undefined) ?? interactive;
  } else schema = common;
  const result = schema.safeParse(body);
  if (result.success) return undefined;
  return result.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || 'body'}: ${i.message}`)
    .join('; ');
}
