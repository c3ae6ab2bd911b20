import type { ConnectionRef } from '../../heroku/connect.js';
import { isNotFound } from '../../heroku/errors.js';
import type { Connection, ConnectConfiguration } from '../../heroku/types.js';
import type { Ctx, Probe, RunbookDeps } from '../deps.js';
import { action, check, manual, StepFailed, wait, type ActionStep, type CheckResult, type CheckStep, type ManualStep, type UndoSpec, type WaitResult, type WaitStep } from '../runbook.js';
import { pausedOrPausing, readConnection, requestPause } from './connection.js';
import { output, record, required, type HandSettings } from './outputs.js';

/**
 * A Heroku Connect connection's configuration and its life as an add-on: export and import, the
 * database and schema it syncs into, Salesforce authorization, and a second connection created by
 * the run (recreate replaces the app's connection; add-column runs one beside it). The new add-on's
 * name comes from the run id, so it is identifiable before it exists.
 */

// ---------------------------------------------------------------------------------------------
// Which connection a step works on

/** The app's connection (recorded by the first check) or the one this run creates. */
export type Side = 'connection' | 'newConnection';

/** How titles name a side: there is an "old" connection only once a new one exists. */
export const sideName = (side: Side): string => (side === 'connection' ? 'the old connection' : 'the new connection');

/** The connection with its mappings: one request once its place is recorded. */
export function readSide(ctx: Ctx, side: Side): Promise<Connection> {
  return side === 'connection' ? readConnection(ctx) : ctx.deps.connect.connection(required(ctx, 'newConnection'));
}

export function refOf(ctx: Ctx, side: Side): ConnectionRef {
  return side === 'connection' ? required(ctx, 'connection') : required(ctx, 'newConnection');
}

const DETAIL_CALL = 'GET /api/v3/connections/{id}?deep=true';

// ---------------------------------------------------------------------------------------------
// The app's Connect add-on and its configuration

/** Check: the add-on behind the connection, with its plan (a replacement gets the same). Records it. */
export const connectAddOnFound: Probe<CheckResult> = async (ctx) => {
  const { resource_name } = await readConnection(ctx);
  const addOn = await ctx.deps.platform.addOn(ctx.app, resource_name);
  await record(ctx, 'connectAddOn', { name: addOn.name, plan: addOn.plan.name });
  return { ok: true };
};

/**
 * Check: the configuration exports, and is kept with the run (shown with the step, and there for
 * the import). Reading changes nothing on Heroku, so it belongs with the checks.
 */
export function exportConfigurationCheck(): CheckStep<RunbookDeps, unknown> {
  return check(
    'Export the Heroku Connect configuration (connect:export) and keep it with the run',
    async (ctx) => {
      const connection = await readConnection(ctx);
      const configuration = await ctx.deps.connect.exportConfiguration(connection);
      await record(ctx, 'settings', handSettings(connection, configuration));
      await record(ctx, 'configuration', configuration);
      return { ok: true };
    },
    { calls: [DETAIL_CALL, 'GET /api/v3/connections/{id}/actions/export'] },
  );
}

function handSettings(connection: Connection, configuration: ConnectConfiguration): HandSettings {
  const exported = configuration.connection ?? {};
  const detail = connection as Connection & { api_version?: string; features?: Record<string, unknown> };
  const apiVersion = typeof exported.api_version === 'string' ? exported.api_version : (detail.api_version ?? null);
  const features = (exported.features ?? detail.features ?? {}) as Record<string, unknown>;
  return { apiVersion, features };
}

/** The mapped objects of the exported configuration. */
export function exportedObjects(ctx: Ctx): string[] {
  return required(ctx, 'configuration').mappings.map((m) => m.object_name);
}

/** Manual: what Heroku Connect's export does not carry, with the old connection's values. */
export function settingsByHandStep(): ManualStep<RunbookDeps, unknown> {
  return manual('Set again by hand what the export does not carry', async (ctx) => {
    const { apiVersion, features } = required(ctx, 'settings');
    const shown = Object.entries(features).map(([name, on]) => `${name}: ${String(on)}`).join(', ') || 'none reported';
    return [
      `The new connection of ${ctx.app} has its mappings; these settings are not in the export file. In the Heroku Connect dashboard (Settings):`,
      '1. Collaborators and notifications: add the people and notification e-mails of the old connection again (Settings > Manage Access, Notifications).',
      `2. Beta features: enable again those the old connection had (features were: ${shown}).`,
      `3. Write algorithm: choose the one the old connection used (Settings > Write Algorithm; its poll_db_no_merge was ${String(features.poll_db_no_merge ?? 'not reported')}).`,
      `4. Salesforce API version: the old connection used ${apiVersion ?? 'a version not reported'}; set it with \`heroku connect:manage-sf-api-version -a ${ctx.app}\` if the new one differs.`,
      'Confirm once done.',
    ].join('\n');
  });
}

// ---------------------------------------------------------------------------------------------
// A new Connect add-on

const runTag = (ctx: Ctx): string => ctx.runId.replace(/[^a-zA-Z0-9]/g, '').slice(0, 8);

/** `acme-prod-connect-r1a2b3c4`: unique per run, and valid as a globally unique add-on name. */
const newConnectAddOnName = (ctx: Ctx): string => `${ctx.app}-connect-${runTag(ctx).toLowerCase()}`;

/** `HEROKUCONNECT_R1A2B3C4`: the app's first Connect add-on holds `HEROKUCONNECT` while both exist. */
const newConnectAttachment = (ctx: Ctx): string => `HEROKUCONNECT_${runTag(ctx).toUpperCase()}`;

/** The new add-on as Heroku has it, or undefined while it does not exist (or is gone). */
async function newConnectAddOnState(ctx: Ctx): Promise<string | undefined> {
  const planned = output(ctx, 'newConnectAddOn');
  if (!planned) return undefined;
  try {
    const { state } = await ctx.deps.platform.addOn(ctx.app, planned.name);
    return state === 'deprovisioned' || state === 'deprovisioning' ? undefined : state;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Rolling back removes the parallel add-on; never once it has taken over DATABASE_URL. */
const destroyNewConnectAddOnUndo: UndoSpec<RunbookDeps, unknown> = {
  title: 'Destroy the new Heroku Connect add-on',
  do: async (ctx) => {
    const { name } = required(ctx, 'newConnectAddOn');
    if (output(ctx, 'newConnection') && (await readSide(ctx, 'newConnection')).db_key === 'DATABASE_URL') {
      throw new StepFailed(`${name} syncs DATABASE_URL since the cutover: not destroying it.`, {
        next: `The new connection took over ${ctx.app}'s database, so it stays. Remove it by hand only once the old connection syncs the app's database again.`,
      });
    }
    await ctx.deps.platform.destroyAddOn(ctx.app, name);
  },
  done: async (ctx) => (await newConnectAddOnState(ctx)) === undefined,
  calls: ['DELETE /apps/{app}/addons/{addon}'],
};

/** Action: create a Connect add-on on the plan of the app's (recorded) one. */
export function createConnectAddOnStep(title: string, options: { undo: boolean }): ActionStep<RunbookDeps, unknown> {
  return action(title, {
    do: async (ctx) => {
      const planned = output(ctx, 'newConnectAddOn') ?? { name: newConnectAddOnName(ctx), plan: required(ctx, 'connectAddOn').plan };
      await record(ctx, 'newConnectAddOn', planned);
      await ctx.deps.platform.createAddOn(ctx.app, { plan: planned.plan, name: planned.name, attachmentName: newConnectAttachment(ctx), confirm: ctx.app });
    },
    done: async (ctx) => (await newConnectAddOnState(ctx)) !== undefined,
    ...(options.undo && { undo: destroyNewConnectAddOnUndo }),
    calls: ['POST /apps/{app}/addons {"plan": "herokuconnect:...", "name", "attachment"}'],
  });
}

/** Wait: provisioned, and discovery lists its connection (after putting the token's user on its access list). */
const newConnectionListed: Probe<WaitResult> = async (ctx) => {
  const { name } = required(ctx, 'newConnectAddOn');
  const { state } = await ctx.deps.platform.addOn(ctx.app, name);
  if (state !== 'provisioned') return { done: false, progress: `${name} is ${state}` };
  const { id, region_url } = await ctx.deps.connect.findConnection(ctx.app, { resourceName: name });
  await record(ctx, 'newConnection', { id, region_url });
  return { done: true };
};

export function newConnectionListedStep(): WaitStep<RunbookDeps, unknown> {
  return wait('Wait until the new Heroku Connect add-on is provisioned', newConnectionListed, {
    every: '5s',
    max: '30s',
    timeout: '1h',
    expect: ['30s', '5m'],
    calls: ['GET /apps/{app}/addons/{addon}', 'GET /connections?app={app}&resource_name={addon}', 'POST /auth/{app}'],
    next: 'Check the new add-on with `heroku addons -a APP`; start again once it is provisioned, or roll back.',
  });
}

// ---------------------------------------------------------------------------------------------
// Database, schema and Salesforce

/** Action: `connect:db:set` on a connection; `dbKey` is decided when the step runs. */
export function setDatabaseStep(title: string, side: Side, dbKey: (ctx: Ctx) => Promise<string> | string): ActionStep<RunbookDeps, unknown> {
  const schemaOf = (ctx: Ctx): string => required(ctx, 'connection').schema_name ?? 'salesforce';
  return action(title, {
    do: async (ctx) => {
      await ctx.deps.connect.setDatabase(refOf(ctx, side), { db_key: await dbKey(ctx), schema_name: schemaOf(ctx) });
    },
    done: async (ctx) => {
      const { db_key, schema_name } = await readSide(ctx, side);
      return db_key === (await dbKey(ctx)) && schema_name === schemaOf(ctx);
    },
    calls: ['PATCH /api/v3/connections/{id} {"db_key", "schema_name"}'],
  });
}

/** Where Salesforce sends the person after the login. */
const afterLogin = (app: string): string => `https://dashboard.heroku.com/apps/${app}/resources`;

/** Manual: the Salesforce login of the new connection, with its authorize_url link. */
export function authorizeSalesforceStep(): ManualStep<RunbookDeps, unknown> {
  return manual('Authorize the new connection in Salesforce', async (ctx) => {
    const link = await ctx.deps.connect.authorizeUrl(required(ctx, 'newConnection'), { next: afterLogin(ctx.app) });
    return [
      `Open this link and log in to Salesforce as the integration user of the old connection (the same org):`,
      link,
      `It is the link \`heroku connect:sf:auth -a ${ctx.app}\` would open. Confirm once Salesforce shows that access is allowed.`,
    ].join('\n');
  });
}

/** States in which the new connection still waits for its database or its Salesforce login. */
const UNAUTHORIZED = ['NEW', 'NEED_AUTHENTICATION', 'UNAUTHORIZED'];

export function salesforceAuthorizedStep(): WaitStep<RunbookDeps, unknown> {
  return wait(
    'Wait until the new connection is authorized in Salesforce',
    async (ctx) => {
      const { state } = await readSide(ctx, 'newConnection');
      return UNAUTHORIZED.includes(state) ? { done: false, progress: `The new connection is ${state}` } : { done: true };
    },
    {
      every: '10s',
      max: '1m',
      timeout: '30m',
      expect: ['0s', '1m'],
      calls: [DETAIL_CALL],
      next: 'Salesforce did not authorize the new connection: open the link again (or run `heroku connect:sf:auth`), then start again.',
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Import

/** Action: import the kept export into the new connection. */
export function importConfigurationStep(title: string): ActionStep<RunbookDeps, unknown> {
  return action(title, {
    do: async (ctx) => {
      await ctx.deps.connect.importConfiguration(required(ctx, 'newConnection'), required(ctx, 'configuration'));
    },
    // The import is under way (IMPORT_CONFIGURATION) or applied (the exported mappings exist).
    done: async (ctx) => {
      const { state, mappings } = await readSide(ctx, 'newConnection');
      return state === 'IMPORT_CONFIGURATION' || missingMappings(ctx, mappings).length === 0;
    },
    calls: ['POST /api/v3/connections/{id}/actions/import'],
  });
}

function missingMappings(ctx: Ctx, mappings: Connection['mappings']): string[] {
  const present = new Set(mappings.map((m) => m.object_name.toLowerCase()));
  return exportedObjects(ctx).filter((object) => !present.has(object.toLowerCase()));
}

/** Wait: the import is over, with every exported mapping on the new connection. */
const importFinished: Probe<WaitResult> = async (ctx) => {
  const { state, mappings } = await readSide(ctx, 'newConnection');
  if (state === 'IMPORT_CONFIGURATION') return { done: false, progress: 'The new connection is IMPORT_CONFIGURATION' };
  const missing = missingMappings(ctx, mappings);
  if (missing.length > 0) {
    throw new StepFailed(`The import left the new connection ${state} without the mappings ${missing.join(', ')}.`, {
      next: 'Import the configuration kept with the run into the new connection by hand (`heroku connect:import`), or roll back.',
    });
  }
  return { done: true };
};

export function importFinishedStep(): WaitStep<RunbookDeps, unknown> {
  return wait('Wait until the configuration is imported', importFinished, {
    every: '15s',
    max: '1m',
    timeout: '1h',
    expect: ['20s', '5m'],
    calls: [DETAIL_CALL],
    next: 'Check the new connection in the Heroku Connect dashboard; import the kept configuration again by hand if needed.',
  });
}

// ---------------------------------------------------------------------------------------------
// State of the new connection

const PAUSE_CALL = 'POST /api/v3/connections/{id}/actions/pause';
const RESUME_CALL = 'POST /api/v3/connections/{id}/actions/resume';

const resumeNew: UndoSpec<RunbookDeps, unknown> = {
  title: 'Resume the new connection',
  do: async (ctx) => {
    await ctx.deps.connect.resume(refOf(ctx, 'newConnection'));
  },
  done: async (ctx) => (await readSide(ctx, 'newConnection')).state !== 'PAUSED',
  calls: [RESUME_CALL],
};

/** Pause a connection. Only an IDLE connection can be paused: the caller waits for IDLE first. */
function pauseAction(title: string, side: Side, undo?: UndoSpec<RunbookDeps, unknown>): ActionStep<RunbookDeps, unknown> {
  const requested = `pauseRequested:${side}`;
  return action(title, {
    do: (ctx) => requestPause(ctx, requested, refOf(ctx, side)),
    done: async (ctx) => pausedOrPausing(ctx, requested, (await readSide(ctx, side)).state),
    ...(undo && { undo }),
    calls: [PAUSE_CALL],
  });
}

/** Pause the new connection and wait for PAUSED. */
export function pauseNewConnectionSteps(): [ActionStep<RunbookDeps, unknown>, WaitStep<RunbookDeps, unknown>] {
  return [
    pauseAction('Pause the new connection', 'newConnection', resumeNew),
    wait(
      'Wait until the new connection is PAUSED',
      async (ctx) => ((await readSide(ctx, 'newConnection')).state === 'PAUSED' ? { done: true } : { done: false, progress: 'Pending operations are finishing' }),
      {
        every: '10s',
        max: '1m',
        timeout: '1h',
        expect: ['30s', '5m'],
        calls: [DETAIL_CALL],
        next: 'Check the new connection in the Heroku Connect dashboard; pause it by hand, or roll back.',
      },
    ),
  ];
}

/** Action: a connection that must not sync stays paused (paused again if anything resumed it). */
export function keepPausedStep(side: Side): ActionStep<RunbookDeps, unknown> {
  return pauseAction(`Keep ${sideName(side)} paused`, side);
}

/** Wait: IDLE, the only state a connection can be paused in. */
export function sideIdleStep(side: Side): WaitStep<RunbookDeps, unknown> {
  return wait(
    `Wait until ${sideName(side)} is IDLE`,
    async (ctx) => {
      const { state } = await readSide(ctx, side);
      return state === 'IDLE' ? { done: true } : { done: false, progress: `${sideName(side)} is ${state}`, near: state === 'POLLING_DB_CHANGES' };
    },
    { every: '10s', max: '1m', timeout: '30m', expect: ['0s', '10m'], calls: [DETAIL_CALL], next: `${sideName(side)} stayed busy: check its logs, then start again.` },
  );
}

/** Action: resume a paused connection (it sends what piled up in its trigger log meanwhile). */
export function resumeSideStep(side: Side): ActionStep<RunbookDeps, unknown> {
  return action(`Resume ${sideName(side)}`, {
    do: async (ctx) => {
      await ctx.deps.connect.resume(refOf(ctx, side));
    },
    done: async (ctx) => (await readSide(ctx, side)).state !== 'PAUSED',
    calls: [RESUME_CALL],
  });
}
