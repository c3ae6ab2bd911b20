import { z } from 'zod';
import type { ParamSpec } from './runbook.js';

/** The parameters runbooks share, validated as the Slack bot and the CLI pass them (strings). */

/** A Heroku app name, as the Platform API's schema defines it. */
export const appName = z.string().regex(/^[a-z][a-z0-9-]{1,28}[a-z0-9]$/, 'must be a Heroku app name (lowercase letters, digits and dashes)');

/** A Postgres major version: `17` or `'17'`. */
const NOT_A_VERSION = { error: 'must be a Postgres major version such as 17' };
export const pgVersion = z.coerce.number(NOT_A_VERSION).int(NOT_A_VERSION).min(9, NOT_A_VERSION).max(99, NOT_A_VERSION);

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

/** A Salesforce API name: `Account`, `Order__c`, `ns__Field__c`. */
export const salesforceName = z.string().trim().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must be a Salesforce API name such as Account or Region__c');

/** A list of Salesforce API names, as an array or as the bot passes it: `Region__c, Tier__c`. */
export const salesforceNames = z.preprocess(
  (value) => (typeof value === 'string' ? value.split(/[\s,]+/).filter(Boolean) : value),
  z.array(salesforceName).min(1),
);

/** A yes/no option, as a boolean or as the bot passes it (`true`, `false`, `yes`, `no`). */
export const flag = z.union([z.boolean(), z.enum(['true', 'yes', 'false', 'no']).transform((value) => value === 'true' || value === 'yes')]);

// ---------------------------------------------------------------------------------------------
// As people type them (command surfaces)

export const APP: ParamSpec = { key: 'app', kind: 'positional', name: 'APP', type: 'app', description: 'The Heroku app (also `-a APP`), one the policy file names.' };
export const VERSION: ParamSpec = {
  key: 'version',
  kind: 'option',
  name: '--version',
  value: 'N',
  type: 'int',
  optional: true,
  description: 'The Postgres major version to move to, e.g. 17; the newest Heroku offers when left out.',
};
export const PLAN: ParamSpec = { key: 'plan', kind: 'positional', name: 'PLAN', type: 'plan', description: 'The Heroku Postgres plan to move to, e.g. standard-2.' };
export const OBJECT: ParamSpec = { key: 'object', kind: 'positional', name: 'OBJECT', type: 'sf-name', description: 'The Salesforce object of the mapping, e.g. Account.' };
