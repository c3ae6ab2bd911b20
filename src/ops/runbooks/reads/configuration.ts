import { api } from '../../heroku/calls.js';
import type { Connection, ConnectConfiguration } from '../../heroku/types.js';
import { read, type Ctx, type Fn } from '../deps.js';
import { record, required, type HandSettings } from '../outputs.js';
import { StepFailed, type CheckResult, type WaitResult } from '../runbook.js';
import { readConnection, readSide } from './connection.js';

/**
 * A connection's exported configuration (docs/reference/heroku-connect-api.md, "Export / import
 * file"): kept with the run, imported into a new connection, and what it does not carry.
 */

function handSettings(connection: Connection, configuration: ConnectConfiguration): HandSettings {
  const exported = configuration.connection ?? {};
  const detail = connection as Connection & { api_version?: string; features?: Record<string, unknown>; logplex_log_enabled?: boolean };
  const apiVersion = typeof exported.api_version === 'string' ? exported.api_version : (detail.api_version ?? null);
  const features = (exported.features ?? detail.features ?? {}) as Record<string, unknown>;
  const logging = typeof exported.logplex_log_enabled === 'boolean' ? exported.logplex_log_enabled : (detail.logplex_log_enabled ?? null);
  return { apiVersion, features, logging };
}

/**
 * Check: the configuration exports, and is kept with the run (shown with the step, and there for
 * the import). Reading changes nothing on Heroku, so it belongs with the checks.
 */
export const configurationExported: Fn<CheckResult> = read([readConnection, api.connect.exportConfiguration], async (ctx) => {
  const connection = await readConnection(ctx);
  const configuration = await ctx.deps.connect.exportConfiguration(connection);
  await record(ctx, 'settings', handSettings(connection, configuration));
  await record(ctx, 'configuration', configuration);
  return { ok: true };
});

/** The mapped objects of the exported configuration. */
export function exportedObjects(ctx: Ctx): string[] {
  return required(ctx, 'configuration').mappings.map((m) => m.object_name);
}

function missingMappings(ctx: Ctx, mappings: Connection['mappings']): string[] {
  const present = new Set(mappings.map((m) => m.object_name.toLowerCase()));
  return exportedObjects(ctx).filter((object) => !present.has(object.toLowerCase()));
}

/** Done probe of the import: under way (IMPORT_CONFIGURATION) or applied (the exported mappings exist). */
export const importStarted: Fn<boolean> = read([readSide('newConnection')], async (ctx) => {
  const { state, mappings } = await readSide('newConnection')(ctx);
  return state === 'IMPORT_CONFIGURATION' || missingMappings(ctx, mappings).length === 0;
});

/** Wait: the import is over, with every exported mapping on the new connection. */
export const importFinished: Fn<WaitResult> = read([readSide('newConnection')], async (ctx) => {
  const { state, mappings } = await readSide('newConnection')(ctx);
  if (state === 'IMPORT_CONFIGURATION') return { done: false, progress: 'The new connection is IMPORT_CONFIGURATION' };
  const missing = missingMappings(ctx, mappings);
  if (missing.length > 0) {
    throw new StepFailed(`The import left the new connection ${state} without the mappings ${missing.join(', ')}.`, {
      next: 'Import the configuration kept with the run into the new connection by hand (`heroku connect:import`), or roll back.',
    });
  }
  return { done: true };
});
