import type { PlatformClient } from '../ops/heroku/platform.js';
import type { BotContext } from './context.js';

/**
 * Heroku Postgres plan names (`standard-0`, `premium-2`, …) read live from the Platform API (Plan
 * List By Add-on, `GET /addon-services/heroku-postgresql/plans`, what `heroku addons:plans
 * heroku-postgresql` lists), kept for an hour: the runbook form and `/connect plan-change` offer
 * and check them. When Heroku cannot be read, the last list read stands; with none, undefined,
 * and any plan name is accepted as free text (Heroku refuses a wrong one when the run changes it).
 */

const SERVICE = 'heroku-postgresql';
/** Plan states Heroku no longer provisions. */
const CLOSED = new Set(['disabled', 'deprecated', 'shutdown']);

export interface PlanNamesOptions {
  platform: Pick<PlatformClient, 'addOnServicePlans'>;
  /** How long a list read stands. */
  ttlMs?: number;
  /** After a failed read, how long before Heroku is asked again (no call per keystroke while it is down). */
  retryMs?: number;
  now?: () => number;
  onError?: (error: unknown) => void;
}

export class LivePlanNames {
  private names: readonly string[] | undefined;
  private readAt = -Infinity;
  private failedAt = -Infinity;
  private reading: Promise<readonly string[] | undefined> | undefined;

  constructor(private readonly options: PlanNamesOptions) {}

  /** The plan names, read at most once per ttl; undefined when Heroku has never answered. */
  get(): Promise<readonly string[] | undefined> {
    const now = (this.options.now ?? Date.now)();
    if (this.names && now - this.readAt < (this.options.ttlMs ?? 3_600_000)) return Promise.resolve(this.names);
    if (now - this.failedAt < (this.options.retryMs ?? 60_000)) return Promise.resolve(this.names);
    this.reading ??= this.read(now).finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  private async read(now: number): Promise<readonly string[] | undefined> {
    try {
      const plans = await this.options.platform.addOnServicePlans(SERVICE, { priority: 'read' });
      const names = plans.filter((p) => !CLOSED.has(p.state ?? 'public')).map((p) => p.name.replace(`${SERVICE}:`, ''));
      if (names.length > 0) {
        this.names = names;
        this.readAt = now;
      }
    } catch (error) {
      this.failedAt = now;
      this.options.onError?.(error);
    }
    return this.names;
  }
}

/** The plan names the bot checks and offers now: read live when it can, else the fixed list, else none (free text). */
export async function planNamesOf(ctx: Pick<BotContext, 'ports'>): Promise<readonly string[] | undefined> {
  return (await ctx.ports.livePlanNames?.()) ?? ctx.ports.planNames;
}
