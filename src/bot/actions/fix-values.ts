/**
 * The value of a fix button on a health incident or a version warning: the runbook and its
 * parameters, nothing else. Who clicked comes from the verified request; whether they may start it,
 * from the policy, as for `/connect`.
 */

export const FIX_ACTION = 'health_fix';

export interface FixValue {
  app: string;
  runbook: string;
  params: Record<string, unknown>;
}

export function encodeFixValue(fix: FixValue): string {
  return JSON.stringify({ a: fix.app, r: fix.runbook, p: fix.params });
}

/** Undefined for anything that is not a value this bot wrote. */
export function decodeFixValue(raw: unknown): FixValue | undefined {
  if (typeof raw !== 'string' || raw.length > 2000) return undefined;
  try {
    const { a, r, p } = JSON.parse(raw) as Record<string, unknown>;
    if (typeof a !== 'string' || typeof r !== 'string' || typeof p !== 'object' || p === null || Array.isArray(p)) return undefined;
    return { app: a, runbook: r, params: p as Record<string, unknown> };
  } catch {
    return undefined;
  }
}
