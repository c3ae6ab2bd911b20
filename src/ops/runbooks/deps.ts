import type { ClientCall } from '../heroku/calls.js';
import type { ConnectClient } from '../heroku/connect.js';
import type { PostgresDataClient } from '../heroku/data.js';
import type { PlatformClient } from '../heroku/platform.js';
import { callsOf, type Condition, type ConditionResult, type StepContext, type StepFn } from './runbook.js';

/** What every runbook step reaches Heroku through (createHerokuClients builds exactly this). */
export interface RunbookDeps {
  platform: PlatformClient;
  data: PostgresDataClient;
  connect: ConnectClient;
  /**
   * The apps the policy names (connect-ops.yml `apps:`). A cutover refuses a database that is also
   * attached to an app outside them; unset (tests, the CLI), no app is refused for that.
   */
  policyApps?: readonly string[];
}

/** The context every step of our runbooks receives. */
export type Ctx<Params = unknown> = StepContext<RunbookDeps, Params>;

/** A step function of our runbooks, with the API calls it may send. */
export type Fn<T> = StepFn<RunbookDeps, unknown, T>;

/** The client methods (from `api` in ../heroku/calls.ts) and the reads a function uses. */
export type Uses = ReadonlyArray<ClientCall | { readonly calls?: readonly string[] }>;

function declared(used: Uses): string[] {
  return callsOf(used.map((u) => ('requests' in u ? { calls: u.requests } : u)));
}

/**
 * A pure read of live state (a probe): what it returns is all it does. Its calls are those of the
 * client methods and reads it names, so the plan lists them and a test can hold it to them.
 */
export function read<T>(used: Uses, fn: (ctx: Ctx) => Promise<T>): Fn<T> {
  return Object.assign((ctx: Ctx) => fn(ctx), { calls: declared(used) });
}

/** A single mutation (with the reads it needs to aim it): one change to the app, Heroku Postgres or Connect. */
export function mutation(used: Uses, fn: (ctx: Ctx) => Promise<void>): Fn<void> {
  return Object.assign((ctx: Ctx) => fn(ctx), { calls: declared(used) });
}

/** A condition on a step, read when the step is reached. */
export function condition(title: string, used: Uses, test: (ctx: Ctx) => Promise<ConditionResult>): Condition<RunbookDeps, unknown> {
  return { title, test: read(used, test) };
}
