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
}

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
