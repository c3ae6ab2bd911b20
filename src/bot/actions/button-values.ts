import type { RunView } from '../../ops/engine/types.js';

/**
 * What a button carries: only the run, the step and the plan hash the user saw. Who clicked comes
 * from the verified request (`body.user.id`), never from the button.
 */
export const ACTIONS = {
  approve: 'approve',
  reject: 'reject',
  manualDone: 'manual_done',
  cancel: 'cancel_run',
  rollback: 'rollback',
  override: 'override_maintenance',
} as const;

export type ActionId = (typeof ACTIONS)[keyof typeof ACTIONS];

export interface ButtonValue {
  runId: string;
  stepIdx: number | null;
  planHash: string;
}

/** The value of a button on a run's message; `stepIdx` for a button that concerns one step. */
export function encodeButtonValue(run: Pick<RunView, 'id' | 'planHash'>, stepIdx: number | null = null): string {
  return JSON.stringify({ r: run.id, s: stepIdx, h: run.planHash });
}

/** Undefined for anything that is not a value this bot wrote. */
export function decodeButtonValue(raw: unknown): ButtonValue | undefined {
  if (typeof raw !== 'string' || raw.length > 2000) return undefined;
  try {
    const { r, s, h } = JSON.parse(raw) as Record<string, unknown>;
    if (typeof r !== 'string' || r === '' || typeof h !== 'string') return undefined;
    if (s !== null && !(typeof s === 'number' && Number.isInteger(s) && s >= 0)) return undefined;
    return { runId: r, stepIdx: s, planHash: h };
  } catch {
    return undefined;
  }
}
