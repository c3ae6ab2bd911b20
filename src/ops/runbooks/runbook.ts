import type ms from 'ms';
import type { z } from 'zod';
import type { Logger } from '../../log.js';

/**
 * The runbook DSL: a runbook is typed parameters plus an ordered list of steps, and each file that
 * uses these builders reads like the documented procedure. The engine (../engine) makes them safe.
 */

/** A duration as runbooks write it ('10s', '5m', '30h') or in milliseconds. */
export type Duration = ms.StringValue | number;

// ---------------------------------------------------------------------------------------------
// Runbooks

/** What every step function receives. */
export interface StepContext<Deps = unknown, Params = unknown> {
  readonly app: string;
  readonly params: Params;
  /** Values earlier steps recorded (a new add-on's name, the formation before scaling down, ...). */
  readonly outputs: Readonly<Record<string, unknown>>;
  /**
   * Records a JSON value for later steps. It is stored before the promise resolves, so a `do` that
   * records what it is about to change, then changes it, never loses the record in a crash.
   */
  record(key: string, value: unknown): Promise<void>;
  readonly deps: Deps;
  readonly runId: string;
  now(): Date;
  readonly log: Logger;
}

export type StepFn<Deps, Params, T> = (ctx: StepContext<Deps, Params>) => Promise<T>;

/**
 * Thrown by a step that finds that a Heroku operation failed (an upgrade in error, a pg:copy that
 * did not succeed, an add-on that could not be created) or that the app's state rules out going on
 * (a destroy of a database in use). The run fails with this reason and next step (`operation_failed`),
 * not as a bug in the runbook, and the step is not retried: `throw new StepFailed(reason, { next })`.
 */
export class StepFailed extends Error {
  readonly next: string | undefined;

  constructor(reason: string, options: { next?: string } = {}) {
    super(reason);
    this.name = 'StepFailed';
    this.next = options.next;
  }
}

export type CheckResult = { ok: true } | { ok: false; reason: string; next?: string };

export type WaitResult = { done: true } | { done: false; progress?: string; near?: boolean };

export type StepKind = 'check' | 'action' | 'wait' | 'approval' | 'manual';

interface StepBase {
  readonly title: string;
  /** The API requests the step makes, for the plan, e.g. `PATCH /apps/{app} {"maintenance": true}`. */
  readonly calls: readonly string[];
  /** What to try next when the step fails; the engine has a default per reason code. */
  readonly next?: string;
}

export interface CheckStep<Deps = unknown, Params = unknown> extends StepBase {
  readonly kind: 'check';
  readonly probe: StepFn<Deps, Params, CheckResult>;
}

/** The rollback of an action, offered after a cancel or a failure. It is an action of its own. */
export interface UndoSpec<Deps = unknown, Params = unknown> {
  readonly title: string;
  readonly do: StepFn<Deps, Params, void>;
  readonly done: StepFn<Deps, Params, boolean>;
  readonly calls: readonly string[];
}

export interface ActionStep<Deps = unknown, Params = unknown> extends StepBase {
  readonly kind: 'action';
  /** Performs exactly one mutation. */
  readonly do: StepFn<Deps, Params, void>;
  /** Probes live state: true once the mutation has taken effect (or is in progress). */
  readonly done: StepFn<Deps, Params, boolean>;
  readonly undo?: UndoSpec<Deps, Params>;
  /** Marks the window in which the app's writes are stopped, for the plan and for measuring it. */
  readonly downtime?: 'starts' | 'ends';
}

export interface WaitStep<Deps = unknown, Params = unknown> extends StepBase {
  readonly kind: 'wait';
  readonly until: StepFn<Deps, Params, WaitResult>;
  /** First (and fastest) poll interval. */
  readonly every: Duration;
  /** Slowest poll interval while nothing changes; defaults to 6 × every. */
  readonly max?: Duration;
  readonly timeout: Duration;
  /** How long the condition usually takes, for the plan's downtime estimate; defaults to 0..timeout. */
  readonly expect?: readonly [Duration, Duration];
}

export interface ApprovalStep extends StepBase {
  readonly kind: 'approval';
}

export interface ManualStep<Deps = unknown, Params = unknown> extends StepBase {
  readonly kind: 'manual';
  readonly instructions: StepFn<Deps, Params, string>;
}

export type Step<Deps = unknown, Params = unknown> =
  | CheckStep<Deps, Params>
  | ActionStep<Deps, Params>
  | WaitStep<Deps, Params>
  | ApprovalStep
  | ManualStep<Deps, Params>;

export interface Runbook<Deps = unknown, Params = any> { // eslint-disable-line @typescript-eslint/no-explicit-any -- a registry holds runbooks of any parameter type
  readonly name: string;
  readonly summary: string;
  /** Validates and types the parameters; `app` is passed in as a parameter too. */
  readonly params: z.ZodType<Params>;
  readonly steps: (params: Params) => ReadonlyArray<Step<Deps, Params>>;
}

/** Runbooks by name. */
export type RunbookRegistry<Deps = unknown> = ReadonlyMap<string, Runbook<Deps>>;

// ---------------------------------------------------------------------------------------------
// Builders

export function runbook<Deps, Params>(definition: Runbook<Deps, Params>): Runbook<Deps, Params> {
  return definition;
}

/** A precondition: refuses the run with a reason before anything changes. */
export function check<Deps, Params>(
  title: string,
  probe: StepFn<Deps, Params, CheckResult>,
  options: { calls?: readonly string[]; next?: string } = {},
): CheckStep<Deps, Params> {
  return { kind: 'check', title, probe, calls: options.calls ?? [], next: options.next };
}

/** One mutation and the probe of live state that proves it took effect. */
export function action<Deps, Params>(
  title: string,
  spec: Omit<ActionStep<Deps, Params>, 'kind' | 'title'>,
): ActionStep<Deps, Params> {
  return { kind: 'action', title, ...spec };
}

/** A condition polled with adaptive backoff until it holds, or the timeout fails the step. */
export function wait<Deps, Params>(
  title: string,
  until: StepFn<Deps, Params, WaitResult>,
  options: Omit<WaitStep<Deps, Params>, 'kind' | 'title' | 'until' | 'calls'> & { calls?: readonly string[] },
): WaitStep<Deps, Params> {
  return { kind: 'wait', title, until, ...options, calls: options.calls ?? [] };
}

/** Holds the run until enough approvers approve (the number comes from policy at start). */
export function approval(title: string): ApprovalStep {
  return { kind: 'approval', title, calls: [] };
}

/** A human step outside the APIs, confirmed with a button. */
export function manual<Deps, Params>(
  title: string,
  instructions: string | StepFn<Deps, Params, string>,
): ManualStep<Deps, Params> {
  return {
    kind: 'manual',
    title,
    calls: [],
    instructions: typeof instructions === 'string' ? async () => instructions : instructions,
  };
}

/** The registry the engine runs from: runbooks by name. */
export function runbookRegistry<Deps>(...runbooks: Array<Runbook<Deps>>): RunbookRegistry<Deps> {
  return new Map(runbooks.map((r) => [r.name, r]));
}
