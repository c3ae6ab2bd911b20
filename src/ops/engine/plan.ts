import { createHash } from 'node:crypto';
import type { Runbook, Step } from '../runbooks/runbook.js';
import { showDuration, toMs } from './durations.js';
import { EngineError } from './errors.js';
import type { Plan, PlanStep } from './types.js';

export interface ValidParams {
  app: string;
  params: Record<string, unknown>;
  /** The parameters as given, with `app`: what a run stores, and validates again when it is loaded. */
  input: Record<string, unknown>;
}

/** Validates with the runbook's schema; `app` is one of the parameters. Lists every problem at once. */
export function validateParams<Deps>(runbook: Runbook<Deps>, params: Record<string, unknown>, app?: string): ValidParams {
  const input = app === undefined ? params : { ...params, app };
  const result = runbook.params.safeParse(input);
  const problems = result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join('.') || 'parameters'}: ${issue.message}`);
  const parsed = (result.success ? result.data : {}) as Record<string, unknown>;
  // A schema drops keys it does not know: a parameter given but dropped is refused, not ignored.
  if (result.success) problems.push(...Object.keys(input).filter((key) => !(key in parsed) && given(input[key])).map((key) => `${key}: not a parameter of ${runbook.name}`));
  const resolvedApp = typeof parsed.app === 'string' ? parsed.app : app;
  if (result.success && !resolvedApp) problems.push('app: required');
  if (problems.length > 0 || !resolvedApp) {
    throw new EngineError('invalid_params', `Invalid parameters for ${runbook.name}:\n${problems.map((p) => `  - ${p}`).join('\n')}`, {
      problems,
    });
  }
  return { app: resolvedApp, params: parsed, input: { ...input, app: resolvedApp } };
}

/** A value someone meant to pass: not undefined, null, '' or []. */
const given = (value: unknown): boolean => value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0);

/** The plan of a runbook for these (validated) parameters: its steps, calls, downtime and hash. */
export function renderPlan<Deps>(
  runbook: Runbook<Deps>,
  valid: ValidParams,
  defined: ReadonlyArray<Step<Deps>> = runbook.steps(valid.params),
): Plan {
  const steps = defined.map(planStep);
  return {
    runbook: runbook.name,
    app: valid.app,
    summary: runbook.summary,
    steps,
    expectedDowntime: expectedDowntime(defined),
    hash: planHash(runbook.name, valid, steps),
    parametersShown: valid.params,
    ...(runbook.document && { document: { ...runbook.document } }),
  };
}

function planStep<Deps>(step: Step<Deps>, idx: number): PlanStep {
  const view: PlanStep = { idx, title: step.title, kind: step.kind, calls: [...step.calls] };
  if (step.when) view.when = step.when.title;
  if (step.cites) view.cites = step.cites;
  if (step.kind === 'action') {
    if (step.downtime) view.downtime = step.downtime;
    if (step.undo) view.undo = step.undo.title;
  }
  if (step.kind === 'manual' && step.undo) view.undo = step.undo.title;
  if (step.kind === 'wait') {
    view.every = showDuration(step.every);
    view.timeout = showDuration(step.timeout);
  }
  return view;
}

/** Approvals bind to this: a change of runbook, app, parameters, step titles, conditions or calls changes it. */
export function planHash(runbook: string, valid: ValidParams, steps: PlanStep[]): string {
  const rendered = stableJson({
    runbook,
    app: valid.app,
    params: valid.params,
    steps: steps.map((s) => ({ title: s.title, kind: s.kind, calls: s.calls, when: s.when })),
  });
  return createHash('sha256').update(rendered).digest('hex');
}

/**
 * The hash a run's approvals bind to: the plan's, and, once recorded, the outputs its approval steps
 * bind (`binds`: the consumers a cutover found before its approval, which approvers approve with the
 * plan). Before any of them is recorded it is the plan's own hash.
 */
export function runHash<Deps>(plan: Plan, steps: ReadonlyArray<Step<Deps>>, outputs: Readonly<Record<string, unknown>>): string {
  const keys = [...new Set(steps.flatMap((s) => (s.kind === 'approval' ? (s.binds ?? []) : [])))].filter((k) => outputs[k] !== undefined).sort();
  if (keys.length === 0) return plan.hash;
  const rendered = stableJson({ plan: plan.hash, outputs: Object.fromEntries(keys.map((k) => [k, outputs[k]])) });
  return createHash('sha256').update(rendered).digest('hex');
}

/** Step indexes of the writes-stopped window: from the action that starts downtime to the one that ends it (or the end). */
export interface DowntimeWindow {
  from: number;
  to: number;
}

export function downtimeWindow<Deps>(steps: ReadonlyArray<Step<Deps>>): DowntimeWindow | null {
  const from = steps.findIndex((s) => s.kind === 'action' && s.downtime === 'starts');
  if (from === -1) return null;
  const to = steps.findIndex((s, i) => i > from && s.kind === 'action' && s.downtime === 'ends');
  return { from, to: to === -1 ? steps.length : to };
}

/** Whether a step is in the writes-stopped window: from the action that stops writes to the one that lets them resume, both included. */
export function inDowntime(window: DowntimeWindow | null, idx: number): boolean {
  return window !== null && idx >= window.from && idx <= window.to;
}

/**
 * The writes-stopped window's waits, each counted as its `expect` range (0..timeout when the
 * runbook gives none).
 */
function expectedDowntime<Deps>(steps: ReadonlyArray<Step<Deps>>): Plan['expectedDowntime'] {
  const window = downtimeWindow(steps);
  if (!window) return null;
  let min = 0;
  let max = 0;
  for (const step of steps.slice(window.from, window.to)) {
    if (step.kind !== 'wait') continue;
    min += toMs(step.expect?.[0] ?? 0);
    max += toMs(step.expect?.[1] ?? step.timeout);
  }
  return { minMinutes: Math.floor(min / 60_000), maxMinutes: Math.ceil(max / 60_000) };
}

function stableJson(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
