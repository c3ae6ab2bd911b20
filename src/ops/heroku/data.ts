import { endpoint, seg } from './endpoint.js';
import type { CallOptions, HerokuHttp, Method, RequestOptions } from './http.js';
import { databaseSchema, messageSchema, transferSchema, waitStatusSchema, type Database, type Transfer, type WaitStatus } from './types.js';

/**
 * The Heroku Postgres data API (`/client/v11`), addressed by the add-on's id. A 404 from `database`
 * or `waitStatus` means "not provisioned yet" (isNotFound), not "gone".
 */

export interface UpgradeInput {
  /** Target major version, e.g. `'17'`; Heroku picks the newest when omitted. */
  version?: string;
}

export interface TransferInput {
  from_name: string;
  from_url: string;
  to_name: string;
  to_url: string;
}

export class PostgresDataClient {
  constructor(
    private readonly http: HerokuHttp,
    private readonly baseUrl: string,
  ) {}

  /** `pg:info`: plan, version, `following`, and the `info` rows (Status, Behind By, Fork/Follow...). */
  database(addonId: string, options?: CallOptions): Promise<Database> {
    return this.http.request(databaseSchema, this.req(`/databases/${seg(addonId)}`, options));
  }

  /** `pg:wait`: `waiting?` false when ready; `error?` true when provisioning failed. */
  waitStatus(addonId: string, options?: CallOptions): Promise<WaitStatus> {
    return this.http.request(waitStatusSchema, this.req(`/databases/${seg(addonId)}/wait_status`, options));
  }

  /** Stops a follower following; it becomes a fork once `following` disappears from `database`. */
  async unfollow(addonId: string, options?: CallOptions): Promise<void> {
    await this.http.send(this.req(`/databases/${seg(addonId)}/unfollow`, options, 'PUT'));
  }

  upgradePrepare(addonId: string, input: UpgradeInput = {}, options?: CallOptions): Promise<string> {
    return this.upgrade(addonId, 'prepare', input, options);
  }

  upgradeRun(addonId: string, input: UpgradeInput = {}, options?: CallOptions): Promise<string> {
    return this.upgrade(addonId, 'run', input, options);
  }

  upgradeDryRun(addonId: string, input: UpgradeInput = {}, options?: CallOptions): Promise<string> {
    return this.upgrade(addonId, 'dry_run', input, options);
  }

  upgradeCancel(addonId: string, options?: CallOptions): Promise<string> {
    return this.upgrade(addonId, 'cancel', {}, options);
  }

  /** `pg:upgrade:wait`: `step` ("3/7") while running; `waiting?` false when done or scheduled. */
  upgradeWaitStatus(addonId: string, options?: CallOptions): Promise<WaitStatus> {
    return this.http.request(waitStatusSchema, this.req(`/databases/${seg(addonId)}/upgrade/wait_status`, options));
  }

  /** `pg:copy`: `addonId` is the target database's add-on. */
  createTransfer(addonId: string, input: TransferInput, options?: CallOptions): Promise<Transfer> {
    return this.http.request(transferSchema, this.req(`/databases/${seg(addonId)}/transfers`, options, 'POST', input));
  }

  /** The app's transfers (copies, backups, restores), e.g. to find a copy whose answer was lost by its `to_name`. */
  transfers(app: string, options?: CallOptions): Promise<Transfer[]> {
    return this.http.request(transferSchema.array(), this.req(`/apps/${seg(app)}/transfers`, options));
  }

  /** Done when `finished_at` is set; then `succeeded` tells how (`verbose` adds the logs). */
  transfer(app: string, uuid: string, options?: CallOptions & { verbose?: boolean }): Promise<Transfer> {
    return this.http.request(transferSchema, {
      ...this.req(`/apps/${seg(app)}/transfers/${seg(uuid)}`, options),
      searchParams: { verbose: options?.verbose || undefined },
    });
  }

  private async upgrade(addonId: string, action: 'prepare' | 'run' | 'dry_run' | 'cancel', input: UpgradeInput, options?: CallOptions): Promise<string> {
    const body = input.version ? { version: input.version } : {};
    const { message } = await this.http.request(messageSchema, this.req(`/databases/${seg(addonId)}/upgrade/${action}`, options, 'POST', body));
    return message;
  }

  private req(path: string, options: CallOptions | undefined, method?: Method, json?: unknown): RequestOptions {
    return endpoint(this.baseUrl, `/client/v11${path}`, options, method, json);
  }
}

/** The values of a `pg:info` row, or undefined when Heroku did not send the row. */
export function infoRow(database: Pick<Database, 'info'>, name: string): string[] | undefined {
  return database.info.find((row) => row.name === name)?.values;
}

/**
 * Follower lag in commits from the `Behind By` row. Undefined when the row is missing or unreadable:
 * unknown lag is not zero lag.
 */
export function behindBy(database: Pick<Database, 'info'>): number | undefined {
  const match = /^(\d+) commits?$/.exec(infoRow(database, 'Behind By')?.[0]?.trim() ?? '');
  return match ? Number(match[1]) : undefined;
}

/** The `Status` row (`Available`; older answers say `available`), or undefined. */
export function databaseStatus(database: Pick<Database, 'info'>): string | undefined {
  return infoRow(database, 'Status')?.[0];
}

export function isAvailable(database: Pick<Database, 'info'>): boolean {
  return databaseStatus(database)?.toLowerCase() === 'available';
}

/** Whether a follower can be created from this database now (`Fork/Follow` is `Available`). */
export function canFollow(database: Pick<Database, 'info'>): boolean {
  return infoRow(database, 'Fork/Follow')?.[0]?.toLowerCase() === 'available';
}
