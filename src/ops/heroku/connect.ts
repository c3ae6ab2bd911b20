import { HerokuApiError } from './errors.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { endpoint, seg } from './endpoint.js';
import type { CallOptions, HerokuHttp, Method, RequestOptions } from './http.js';
import {
  authorizeUrlSchema,
  connectAuthSchema,
  connectConfigurationSchema,
  connectionDetailSchema,
  discoverySchema,
  mappingSchema,
  notificationsSchema,
  objectSchemaSchema,
  validationResultSchema,
  validationStartedSchema,
  writeErrorsSchema,
  type Connection,
  type ConnectConfiguration,
  type DiscoveredConnection,
  type Mapping,
  type Notification,
  type ObjectSchema,
  type ValidationResult,
  type WriteErrors,
} from './types.js';

/**
 * The Heroku Connect API. Discovery ("Connect Central") finds an app's connection and the regional
 * host that owns it; every later call goes to that connection's `region_url` + `/api/v3`, which is
 * taken as given, never from a table of known hosts.
 */

/** What a regional call needs: the connection's id and host (a Connection from `findConnection` will do). */
export type ConnectionRef = Pick<Connection, 'id' | 'region_url'>;
type MappingRef = Pick<Mapping, 'id'>;

export interface AuthorizeUrlInput {
  environment?: 'production' | 'sandbox' | 'custom';
  /** Where Salesforce sends the user after login. */
  next: string;
  /** Only with `environment: 'custom'`. */
  domain?: string;
}

export interface NotificationQuery {
  after?: string;
  before?: string;
  event_type?: string;
}

export interface MappingUpdate {
  object_name: string;
  config: Record<string, unknown>;
  /** The mapping's current `config.revision`: Heroku refuses an update based on a stale one. */
  revision: number;
}

export interface ConnectClientOptions {
  discoveryUrl: string;
  timeScale?: number;
}

// connect:diagnose polls the result every 500 ms, 601 times (about 5 minutes).
const DIAGNOSE_POLL_MS = 500;
const DIAGNOSE_POLLS = 601;

export class ConnectClient {
  private readonly discoveryUrl: string;
  private readonly timeScale: number;

  constructor(
    private readonly http: HerokuHttp,
    options: ConnectClientOptions,
  ) {
    this.discoveryUrl = options.discoveryUrl;
    this.timeScale = options.timeScale ?? 1;
  }

  /** Connections of an app the token can see (D1); empty until the user is on the add-on's access list. */
  async discover(app: string, options?: CallOptions & { resourceName?: string }): Promise<DiscoveredConnection[]> {
    const { results } = await this.http.request(discoverySchema, {
      ...endpoint(this.discoveryUrl, '/connections', options),
      searchParams: { app, resource_name: options?.resourceName },
    });
    return results;
  }

  /** Adds the token's user to the app's Connect access list (D2), as opening the add-on once does. */
  async authorize(app: string, options?: CallOptions): Promise<DiscoveredConnection[]> {
    const { connections } = await this.http.request(connectAuthSchema, endpoint(this.discoveryUrl, `/auth/${seg(app)}`, options, 'POST'));
    return connections;
  }

  /**
   * The app's one connection, with its mappings (as `connect:state`). When discovery finds nothing,
   * it authorizes the token's user and looks again, as `connect:info` does.
   */
  async findConnection(app: string, options?: CallOptions & { resourceName?: string }): Promise<Connection> {
    let found = await this.discover(app, options);
    if (found.length === 0) {
      await this.authorize(app, options);
      found = await this.discover(app, options);
    }
    const [only, ...more] = found;
    if (!only) {
      throw new HerokuApiError({ api: 'connect', id: 'no_connection', reason: 'no_connection', message: `No connection(s) found for ${app}` });
    }
    if (more.length > 0) {
      throw new HerokuApiError({
        api: 'connect',
        id: 'multiple_connections',
        reason: 'multiple_connections',
        message: "Multiple connections found. Please use '--resource' to specify a single connection by resource name. Use 'connect:info' to list the resource names.",
      });
    }
    // detail_url from discovery is absolute, on the regional host.
    const detail = await this.http.request(connectionDetailSchema, { url: only.detail_url, searchParams: { deep: true }, priority: options?.priority });
    return { ...only, ...detail, region_url: only.region_url };
  }

  /** The connection's current state and mappings (C1, `deep=true`). */
  async connection(ref: ConnectionRef, options?: CallOptions): Promise<Connection> {
    const detail = await this.http.request(connectionDetailSchema, { ...this.req(ref, `/connections/${seg(ref.id)}`, options), searchParams: { deep: true } });
    return { ...detail, region_url: ref.region_url };
  }

  /** Only from `IDLE`; 409 (isConflict) otherwise. Pending operations finish first. */
  pause(ref: ConnectionRef, options?: CallOptions): Promise<void> {
    return this.action(ref, 'pause', options);
  }

  resume(ref: ConnectionRef, options?: CallOptions): Promise<void> {
    return this.action(ref, 'resume', options);
  }

  /** Clears errors and tries to resume sync (`connect:recover`). */
  restart(ref: ConnectionRef, options?: CallOptions): Promise<void> {
    return this.action(ref, 'restart', options);
  }

  exportConfiguration(ref: ConnectionRef, options?: CallOptions): Promise<ConnectConfiguration> {
    return this.http.request(connectConfigurationSchema, this.req(ref, `/connections/${seg(ref.id)}/actions/export`, options));
  }

  /** Behaves like a PATCH: mappings missing from the file are kept. The connection goes through `IMPORT_CONFIGURATION`. */
  async importConfiguration(ref: ConnectionRef, configuration: ConnectConfiguration, options?: CallOptions): Promise<void> {
    await this.http.send(this.req(ref, `/connections/${seg(ref.id)}/actions/import`, options, 'POST', configuration));
  }

  /** `connect:db:set`: which database (config var) and schema the connection syncs into. */
  async setDatabase(ref: ConnectionRef, input: { db_key: string; schema_name: string }, options?: CallOptions): Promise<void> {
    await this.http.send(this.req(ref, `/connections/${seg(ref.id)}`, options, 'PATCH', input));
  }

  /** The Salesforce login link a user must open to (re)authorize the connection. */
  async authorizeUrl(ref: ConnectionRef, input: AuthorizeUrlInput, options?: CallOptions): Promise<string> {
    const body = { environment: input.environment ?? 'production', next: input.next, ...(input.domain && { domain: input.domain }) };
    const { redirect } = await this.http.request(authorizeUrlSchema, this.req(ref, `/connections/${seg(ref.id)}/authorize_url`, options, 'POST', body));
    return redirect;
  }

  mapping(ref: ConnectionRef, mapping: MappingRef, options?: CallOptions): Promise<Mapping> {
    return this.http.request(mappingSchema, this.req(ref, `/mappings/${seg(mapping.id)}`, options));
  }

  /** Truncates and reloads the table; the mapping goes through `RELOAD_TABLE`. */
  async reloadMapping(ref: ConnectionRef, mapping: MappingRef, options?: CallOptions): Promise<void> {
    await this.http.send(this.req(ref, `/mappings/${seg(mapping.id)}/actions/reload`, options, 'POST'));
  }

  async updateMapping(ref: ConnectionRef, mapping: MappingRef, update: MappingUpdate, options?: CallOptions): Promise<void> {
    await this.http.send(this.req(ref, `/mappings/${seg(mapping.id)}`, options, 'PUT', update));
  }

  async deleteMapping(ref: ConnectionRef, mapping: MappingRef, options?: CallOptions): Promise<void> {
    await this.http.send(this.req(ref, `/mappings/${seg(mapping.id)}`, options, 'DELETE'));
  }

  /** `connect:diagnose`: starts the checks, then polls their `result_url` until it answers 200. */
  async diagnose(ref: ConnectionRef, options?: CallOptions): Promise<ValidationResult> {
    const { result_url } = await this.http.request(validationStartedSchema, this.req(ref, `/connections/${seg(ref.id)}/validations`, options, 'POST'));
    const poll = { url: new URL(result_url, ref.region_url).toString(), priority: options?.priority };
    for (let attempt = 0; attempt < DIAGNOSE_POLLS; attempt++) {
      const response = await this.http.send(poll);
      if (response.status !== 202) return this.http.parse(validationResultSchema, response, poll);
      await sleep(DIAGNOSE_POLL_MS / this.timeScale);
    }
    throw new HerokuApiError({ api: 'connect', id: 'timeout', reason: 'unavailable', message: `Heroku Connect diagnose did not finish: ${result_url} still pending` });
  }

  /** Write errors of the last 24 hours. */
  writeErrors(ref: ConnectionRef, options?: CallOptions): Promise<WriteErrors> {
    return this.http.request(writeErrorsSchema, this.req(ref, `/connections/${seg(ref.id)}/errors`, options));
  }

  /** Unacknowledged notifications (mapping errors, lost database connections...). */
  async notifications(ref: ConnectionRef, query: NotificationQuery = {}, options?: CallOptions): Promise<Notification[]> {
    const { results } = await this.http.request(notificationsSchema, {
      ...this.req(ref, `/connections/${seg(ref.id)}/notifications`, options),
      searchParams: { ...query, page_size: 1000 },
    });
    return results;
  }

  /** C16: the fields Salesforce has for an object now; a field deleted there is missing. */
  salesforceSchema(ref: ConnectionRef, objectName: string, options?: CallOptions): Promise<ObjectSchema> {
    return this.http.request(objectSchemaSchema, this.req(ref, `/connections/${seg(ref.id)}/schemas/${seg(objectName)}`, options));
  }

  private async action(ref: ConnectionRef, action: 'pause' | 'resume' | 'restart', options?: CallOptions): Promise<void> {
    await this.http.send(this.req(ref, `/connections/${seg(ref.id)}/actions/${action}`, options, 'POST'));
  }

  private req(ref: ConnectionRef, path: string, options: CallOptions | undefined, method?: Method, json?: unknown): RequestOptions {
    return endpoint(ref.region_url, `/api/v3${path}`, options, method, json);
  }
}
