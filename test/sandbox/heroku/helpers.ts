import { startSimulatedHeroku, type SimulatedHeroku, type SimulatedHerokuOptions } from '../../../src/sandbox/heroku/index.js';

export { HOUR, MINUTE } from '../../support/simulated-heroku.js';

export interface Reply {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read JSON bodies freely
  body: any;
}

export interface CallOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** send the Bearer token (default true) */
  auth?: boolean;
}

/** A request as a Heroku client sends it: Bearer token and the Platform API's Accept header. */
export async function call(sim: SimulatedHeroku, method: string, path: string, options: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = {
    Accept: 'application/vnd.heroku+json; version=3',
    ...(options.auth === false ? {} : { Authorization: `Bearer ${sim.token}` }),
    ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }),
    ...options.headers,
  };
  const response = await fetch(`${sim.url}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

/** Starts a simulated Heroku at time scale 1: tests move time with `sim.world.advance(ms)`. */
export function simulatedHeroku(options: SimulatedHerokuOptions = {}): Promise<SimulatedHeroku> {
  return startSimulatedHeroku({ timeScale: 1, ...options });
}

/** The add-on id behind an app's attachment (`DATABASE`, `HEROKU_POSTGRESQL_ONYX`, `HEROKUCONNECT`). */
export async function addonId(sim: SimulatedHeroku, app: string, attachment = 'DATABASE'): Promise<string> {
  const { body } = await call(sim, 'GET', `/apps/${app}/addon-attachments/${attachment}`);
  return body.addon.id;
}

/** The app's Connect connection id, found through discovery. */
export async function connectionId(sim: SimulatedHeroku, app: string): Promise<string> {
  const { body } = await call(sim, 'GET', `/connections?app=${app}`);
  return body.results[0].id;
}

/** A row of `pg:info` (database `info[]`), joined as the CLI prints it. */
export function infoRow(database: { info: Array<{ name: string; values: string[] }> }, name: string): string | undefined {
  return database.info.find((r) => r.name === name)?.values.join(', ');
}
