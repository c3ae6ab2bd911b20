import { z } from 'zod';

/**
 * The sandbox panel of the Slack page: what the page may ask of the simulated Heroku (its clock,
 * Heroku Connect maintenance notices, injected faults). The stand-in knows only this interface;
 * src/sandbox/run.ts implements it on the simulated Heroku.
 */

export interface PanelNotice {
  id: number;
  title: string;
  /** scheduled, in_progress, completed, canceled */
  phase: string;
  region: string | null;
  start: string | null;
  end: string | null;
}

export interface PanelState {
  /** Simulated time now, and how many simulated ms pass per real ms. */
  clock: { now: string; timeScale: number };
  /** The Heroku apps faults can target. */
  apps: string[];
  /** The regions a maintenance can be announced for. */
  regions: string[];
  /** Newest first. */
  notices: PanelNotice[];
  faults: { rateLimitBurst: number; errorRate: number; stuckPolling: string[] };
  /** Each app's mappings and the fields they map, for breaking one. */
  mappings: Record<string, Array<{ object: string; fields: string[] }>>;
  /** Postgres major versions of the simulated Heroku, and which are deprecated since when. */
  versions: Array<{ major: number; deprecatedAt: string | null; forcedUpgradesFrom: string | null }>;
}

/** The states the panel can put a connection in (IDLE puts it back). */
export const PANEL_CONNECTION_STATES = ['IDLE', 'SYSTEM_ERROR', 'DB_UNAVAILABLE', 'NEED_AUTHENTICATION', 'UNAUTHORIZED'] as const;

const HOUR = 3_600_000;

export const panelAction = z.discriminatedUnion('action', [
  z.object({ action: z.literal('advance'), ms: z.number().int().min(0).max(30 * 24 * HOUR) }),
  z.object({
    action: z.literal('announce'),
    region: z.string().min(2).max(40),
    startsInHours: z.number().min(0).max(24 * 60),
    durationMinutes: z.number().int().min(1).max(24 * 60),
  }),
  z.object({ action: z.enum(['start', 'complete', 'cancel']), id: z.number().int() }),
  /** Someone deletes a mapped field in Salesforce: the mapping stops at its next poll. */
  z.object({ action: z.literal('break-mapping'), app: z.string().min(1), object: z.string().min(1), field: z.string().min(1) }),
  /** Salesforce refuses writes of one of the app's read_write mappings. */
  z.object({ action: z.literal('refuse-writes'), app: z.string().min(1), count: z.number().int().min(1).max(100) }),
  /** The connection falls into an error (or back to IDLE). */
  z.object({ action: z.literal('connection-state'), app: z.string().min(1), state: z.enum(PANEL_CONNECTION_STATES) }),
  /** The org's daily Salesforce API calls run out (or reset). */
  z.object({ action: z.literal('api-limit'), app: z.string().min(1), exhausted: z.boolean() }),
  /** Heroku deprecates a Postgres version now (the simulated now). */
  z.object({ action: z.literal('deprecate-version'), major: z.number().int() }),
  z.object({
    action: z.literal('faults'),
    rateLimitBurst: z.number().int().min(0).max(10_000).optional(),
    errorRate: z.number().min(0).max(1).optional(),
    stuckPolling: z.array(z.string()).optional(),
  }),
]);

export type PanelAction = z.infer<typeof panelAction>;

/** A request the panel cannot carry out (an unknown notice, a notice already closed). */
export class PanelError extends Error {
  override name = 'PanelError';
}

export interface SandboxPanel {
  state(): PanelState;
  /** Carries out one action; throws a PanelError with a message for the page when it cannot. */
  apply(action: PanelAction): PanelState;
}
