import type { ConnectionRef } from '../../ops/heroku/connect.js';
import { HerokuApiError } from '../../ops/heroku/errors.js';
import type { HerokuClients } from '../../ops/heroku/clients.js';
import type { Connection } from '../../ops/heroku/types.js';
import type { AppReading } from './findings.js';

/**
 * One look at an app's Heroku Connect, at the watchers' priority: the connection with its mappings
 * (C1), its write errors (C11), its notifications (C12) and, for a mapping stopped in
 * SCHEMA_CHANGED, the object's fields in Salesforce (C16). Where the connection lives is found once
 * through discovery and remembered, as the runbooks do.
 */

const watch = { priority: 'read' } as const;

export type ReadOutcome = { kind: 'read'; reading: AppReading } | { kind: 'no_connection'; reason: string };

/** An app without a connection is asked again after this long (discovery, and D2 when it finds none). */
const NO_CONNECTION_RETRY_MS = 3_600_000;

export class ConnectReader {
  private readonly refs = new Map<string, ConnectionRef>();
  private readonly missing = new Map<string, { reason: string; until: number }>();

  constructor(private readonly clients: Pick<HerokuClients, 'connect'>) {}

  async read(app: string, options: { notifications: boolean; runActive: boolean }): Promise<ReadOutcome> {
    const missing = this.missing.get(app);
    if (missing && Date.now() < missing.until) return { kind: 'no_connection', reason: missing.reason };
    let connection: Connection;
    try {
      connection = await this.connection(app);
      this.missing.delete(app);
    } catch (error) {
      if (error instanceof HerokuApiError && (error.reason === 'no_connection' || error.reason === 'multiple_connections')) {
        this.missing.set(app, { reason: error.message, until: Date.now() + NO_CONNECTION_RETRY_MS });
        return { kind: 'no_connection', reason: error.message };
      }
      throw error;
    }
    const [writeErrors, notifications] = await Promise.all([
      this.clients.connect.writeErrors(connection, watch),
      options.notifications ? this.clients.connect.notifications(connection, {}, watch) : Promise.resolve(null),
    ]);
    const deletedFields: Record<string, string[]> = {};
    for (const mapping of connection.mappings.filter((m) => m.state === 'SCHEMA_CHANGED')) {
      const { fields } = await this.clients.connect.salesforceSchema(connection, mapping.object_name, watch);
      const known = new Set(fields.map((f) => f.name.toLowerCase()));
      deletedFields[mapping.object_name] = Object.keys(mapping.config?.fields ?? {}).filter((f) => !known.has(f.toLowerCase()));
    }
    return { kind: 'read', reading: { app, connection, writeErrors, notifications, deletedFields, runActive: options.runActive } };
  }

  private async connection(app: string): Promise<Connection> {
    const known = this.refs.get(app);
    if (known) {
      try {
        return await this.clients.connect.connection(known, watch);
      } catch (error) {
        // A connection removed or replaced (recreate): find the app's connection again.
        if (!(error instanceof HerokuApiError && error.reason === 'not_found')) throw error;
        this.refs.delete(app);
      }
    }
    const found = await this.clients.connect.findConnection(app, watch);
    this.refs.set(app, { id: found.id, region_url: found.region_url });
    return found;
  }
}
