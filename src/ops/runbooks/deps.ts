import type { ConnectClient } from '../heroku/connect.js';
import type { PostgresDataClient } from '../heroku/data.js';
import type { PlatformClient } from '../heroku/platform.js';
import type { StepContext } from './runbook.js';

/** What every runbook step reaches Heroku through (createHerokuClients builds exactly this). */
export interface RunbookDeps {
  platform: PlatformClient;
  data: PostgresDataClient;
  connect: ConnectClient;
}

/** The context every step of our runbooks receives. */
export type Ctx<Params = unknown> = StepContext<RunbookDeps, Params>;

/** A step function of our runbooks: a probe of live state, or a mutation. */
export type Probe<T> = (ctx: Ctx) => Promise<T>;
