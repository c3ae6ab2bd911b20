import { z } from 'zod';
import { ApiError } from '../errors.js';

/**
 * Validates a request body. Heroku answers schema violations with 422 `invalid_params`; Heroku
 * Connect with 400 and a message.
 */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown, status = 422): z.infer<S> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
  throw new ApiError(status, status === 422 ? 'invalid_params' : 'bad_request', `Invalid request parameters: ${problems}`);
}

/** Heroku's identity objects: `"name"`, `{"name": ...}` or `{"id": ...}` all name a resource. */
export const identity = z.union([z.string(), z.object({ name: z.string() }), z.object({ id: z.string() })]);

export const identityOf = (value: z.infer<typeof identity>): string =>
  typeof value === 'string' ? value : 'name' in value ? value.name : value.id;
