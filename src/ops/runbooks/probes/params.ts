import { z } from 'zod';

/** The parameters runbooks share, validated as the Slack bot and the CLI pass them (strings). */

/** A Heroku app name, as the Platform API's schema defines it. */
export const appName = z.string().regex(/^[a-z][a-z0-9-]{1,28}[a-z0-9]$/, 'must be a Heroku app name (lowercase letters, digits and dashes)');

/** A Postgres major version: `17` or `'17'`. */
export const pgVersion = z.coerce.number().int().min(9).max(99);

const POSTGRES = 'heroku-postgresql:';

/** A Heroku Postgres plan, `standard-2` or `heroku-postgresql:standard-2`, always given back with the prefix. */
export const postgresPlan = z
  .string()
  .trim()
  .toLowerCase()
  .transform((plan) => plan.replace(/^heroku-postgresql:/, ''))
  .pipe(z.string().regex(/^[a-z]+(-[a-z0-9]+)*$/, 'must be a Heroku Postgres plan such as standard-2'))
  .transform((plan) => `${POSTGRES}${plan}`);

/** `standard-2` for messages. */
export const shortPlan = (plan: string): string => plan.replace(/^heroku-postgresql:/, '');
