import type ms from 'ms';
import type { z } from 'zod';
import type { Logger } from '../../log.js';

/**
 * The runbook DSL: a runbook is typed parameters, its command surface and an ordered list of steps,
 * and each file that uses these builders reads like the documented procedure. The engine (../engine)
 * makes them safe.
 */

/** A duration as runbooks write it ('10s', '5m', '30h') or in milliseconds. */
export type Duration = ms.StringValue | number;

// ---------------------------------------------------------------------------------------------
// What steps are made of

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

/**
 * A probe of live state or a mutation. `calls` lists the API requests it may send, as the plan shows
 * them (`PATCH /apps/{app} {"maintenance"}`); a step's calls are those of its functions.
 */
export type StepFn<Deps, Params, T> = ((ctx: StepContext<Deps, Params>) => Promise<T>) & { readonly calls?: readonly string[] };

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

/**
 * Thrown by a mutation that the resource's current state refuses, before or instead of the request
 * (Heroku answers such a request 409): "Connections can only be paused when they are in the IDLE
 * state". The engine treats it as that 409: an action with `retryRefused` tries again until its
 * timeout, any other fails.
 */
export class Refused extends Error {
  readonly status = 409;

  constructor(reason: string) {
    super(reason);
    this.name = 'Refused';
  }
}

export type CheckResult = { ok: true } | { ok: false; reason: string; next?: string };

/**
 * A poll of a wait. `next` is the advice for what this poll saw, used when the wait times out on it
 * (a connection in DB_UNAVAILABLE needs a restart, not a look at its mappings). `remaining` is how
 * much is left before the condition holds, in a unit that drains at a steady rate (upgrade steps,
 * commits behind, bytes to copy): the engine measures the rate and polls densely only around the
 * moment it predicts. `near` says the condition is about to hold. `usually` is how long (ms, from the
 * wait's start) what it awaits has taken lately, when the resource's own history tells (an app's
 * last release phases): without a measured drain the engine aims at that moment.
 */
export type WaitResult = { done: true } | { done: false; progress?: string; near?: boolean; remaining?: number; usually?: number; next?: string };

/** Whether a conditional step is wanted; when not, `because` is what the run records as the reason. */
export type ConditionResult = { holds: true } | { holds: false; because: string };

/**
 * A condition read when the step is reached: the plan shows it with the step ("when Heroku Connect
 * uses DATABASE_URL"), and the branch not taken is recorded as skipped with its reason, never as done.
 * It must give the same answer when read again (it reads what earlier steps recorded).
 */
export interface Condition<Deps = unknown, Params = unknown> {
  /** Completes "only when …": `Heroku Connect uses DATABASE_URL`. */
  readonly title: string;
  readonly test: StepFn<Deps, Params, ConditionResult>;
}

export type StepKind = 'check' | 'action' | 'wait' | 'approval' | 'manual';

interface StepBase<Deps, Params> {
  /** A sentence a Heroku operator would write in a runbook. */
  readonly title: string;
  /** The API requests the step may send, for the plan; from its functions (and `calls` options). */
  readonly calls: readonly string[];
  /** What to try next when the step fails; the engine has a default per reason code. */
  readonly next?: string;
  /** The step is taken only when this holds; otherwise it is skipped with the reason. */
  readonly when?: Condition<Deps, Params>;
  /** The document step it performs, as the document numbers it: `Prep 7`, `Cutover 3`, `step 4`. */
  readonly cites?: string;
}

export interface CheckStep<Deps = unknown, Params = unknown> extends StepBase<Deps, Params> {
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

/** How long an action keeps trying a mutation that the resource's state refuses (409 or `Refused`). */
export interface RetryRefused {
  /** First wait between two tries; it grows to six times this. */
  readonly every: Duration;
  /** From the step's first try; past it the step fails with `next`. */
  readonly timeout: Duration;
  readonly next: string;
}

export interface ActionStep<Deps = unknown, Params = unknown> extends StepBase<Deps, Params> {
  readonly kind: 'action';
  /** Performs exactly one mutation. */
  readonly do: StepFn<Deps, Params, void>;
  /** Probes live state: true once the mutation has taken effect (or is in progress). */
  readonly done: StepFn<Deps, Params, boolean>;
  readonly undo?: UndoSpec<Deps, Params>;
  /** Marks the window in which the app's writes are stopped, for the plan and for measuring it. */
  readonly downtime?: 'starts' | 'ends';
  /** A refused mutation is tried again (its `done` probed first) until this timeout, not a few times. */
  readonly retryRefused?: RetryRefused;
}

export interface WaitStep<Deps = unknown, Params = unknown> extends StepBase<Deps, Params> {
  readonly kind: 'wait';
  readonly until: StepFn<Deps, Params, WaitResult>;
  /** First (and fastest) poll interval. */
  readonly every: Duration;
  /** Slowest poll interval while nothing changes; defaults to 6 × every. */
  readonly max?: Duration;
  readonly timeout: Duration;
  /**
   * How long the condition usually takes, for the plan's downtime estimate (defaults to 0..timeout);
   * the wait's first poll comes near the shorter of the two (engine/poll-interval.ts, firstPollDelay).
   */
  readonly expect?: readonly [Duration, Duration];
}

export interface ApprovalStep<Deps = unknown, Params = unknown> extends StepBase<Deps, Params> {
  readonly kind: 'approval';
  /**
   * Outputs recorded before the approval that approvers approve with the plan (what a cutover found
   * to move and stop): the run's plan hash covers them from the approval request on.
   */
  readonly binds?: readonly string[];
}

export interface ManualStep<Deps = unknown, Params = unknown> extends StepBase<Deps, Params> {
  readonly kind: 'manual';
  readonly instructions: StepFn<Deps, Params, string>;
  /**
   * The person's step that undoes this one, offered by a rollback after a cancel or a failure (the
   * Scheduler jobs disabled by hand are enabled again by hand). It is a manual step of its own.
   */
  readonly undo?: ManualUndo<Deps, Params>;
}

export interface ManualUndo<Deps = unknown, Params = unknown> {
  readonly title: string;
  readonly instructions: StepFn<Deps, Params, string>;
}

export type Step<Deps = unknown, Params = unknown> =
  | CheckStep<Deps, Params>
  | ActionStep<Deps, Params>
  | WaitStep<Deps, Params>
  | ApprovalStep<Deps, Params>
  | ManualStep<Deps, Params>;

// ---------------------------------------------------------------------------------------------
// Runbooks

/** The document a runbook follows, which its steps' `cites` number into. */
export interface DocumentRef {
  readonly title: string;
  readonly url: string;
  /** The heading of the procedure within it. */
  readonly section?: string;
}

/**
 * One parameter as people type it: a positional (`PLAN`) or an option (`--version N`). Plain data,
 * so the Slack grammar, help texts, `connect-ops plan --help`, the README and a form can all read it.
 */
export interface ParamSpec {
  /** The runbook parameter it fills: `version`. */
  readonly key: string;
  readonly kind: 'positional' | 'option';
  /** As usage lines show it: `PLAN`, `FIELD…`, `--version`, `--type-change`. */
  readonly name: string;
  readonly type: 'app' | 'plan' | 'sf-name' | 'int' | 'flag';
  /** An option's value in usage lines: `N`. */
  readonly value?: string;
  readonly optional?: boolean;
  /** A positional that takes every remaining word. */
  readonly many?: boolean;
  readonly description: string;
}

/** How a runbook is asked for: `/connect COMMAND …`, `connect-ops plan COMMAND …`; its summary is the runbook's. */
export interface CommandSurface {
  /** The command word: `upgrade`. Several runbooks may share one, told apart by `via`. */
  readonly command: string;
  /** The `--via` value that selects this runbook (`follower`); none for the command's default. */
  readonly via?: string;
  /** In the order they are typed; `app` is the first positional of every runbook. */
  readonly params: readonly ParamSpec[];
  /** `--at TIME` may schedule the cutover (the first approval). */
  readonly schedulable?: boolean;
  /** Whole commands as typed after `/connect`: `upgrade acme-prod --version 17`. */
  readonly examples: readonly string[];
}

export interface Runbook<Deps = unknown, Params = any> { // eslint-disable-line @typescript-eslint/no-explicit-any -- a registry holds runbooks of any parameter type
  readonly name: string;
  /** One sentence: what it does. Plans, help lists and the README table show it. */
  readonly summary: string;
  /** Validates and types the parameters; `app` is passed in as a parameter too. */
  readonly params: z.ZodType<Params>;
  readonly steps: (params: Params) => ReadonlyArray<Step<Deps, Params>>;
  /** The document its steps number into. */
  readonly document?: DocumentRef;
  /** How people ask for it; runbooks without one are reachable by name only. */
  readonly command?: CommandSurface;
}

/** Runbooks by name. */
export type RunbookRegistry<Deps = unknown> = ReadonlyMap<string, Runbook<Deps>>;

// ---------------------------------------------------------------------------------------------
// Builders

export function runbook<Deps, Params>(definition: Runbook<Deps, Params>): Runbook<Deps, Params> {
  return definition;
}

/** What every builder takes besides its step functions. */
export interface StepOptions<Deps, Params> {
  /** Calls beyond those of the step functions (runbooks whose functions declare none). */
  calls?: readonly string[];
  next?: string;
  when?: Condition<Deps, Params>;
  cites?: string;
}

/** The calls of a step: those of its functions and condition, then any given, each once. */
export function callsOf(fns: ReadonlyArray<{ readonly calls?: readonly string[] } | undefined>, extra: readonly string[] = []): string[] {
  return [...new Set([...fns.flatMap((fn) => fn?.calls ?? []), ...extra])];
}

function base<Deps, Params>(title: string, fns: ReadonlyArray<{ readonly calls?: readonly string[] } | undefined>, options: StepOptions<Deps, Params>) {
  return {
    title,
    calls: callsOf([...fns, options.when?.test], options.calls),
    ...(options.next !== undefined && { next: options.next }),
    ...(options.when && { when: options.when }),
    ...(options.cites && { cites: options.cites }),
  };
}

/** A precondition: refuses the run with a reason before anything changes. */
export function check<Deps, Params>(title: string, probe: StepFn<Deps, Params, CheckResult>, options: StepOptions<Deps, Params> = {}): CheckStep<Deps, Params> {
  return { kind: 'check', ...base(title, [probe], options), probe };
}

export interface ActionSpec<Deps, Params> extends StepOptions<Deps, Params> {
  do: StepFn<Deps, Params, void>;
  done: StepFn<Deps, Params, boolean>;
  undo?: Omit<UndoSpec<Deps, Params>, 'calls'> & { calls?: readonly string[] };
  downtime?: 'starts' | 'ends';
  retryRefused?: RetryRefused;
}

/** One mutation and the probe of live state that proves it took effect. */
export function action<Deps, Params>(title: string, spec: ActionSpec<Deps, Params>): ActionStep<Deps, Params> {
  const { do: mutate, done, undo, downtime, retryRefused, ...options } = spec;
  return {
    kind: 'action',
    ...base(title, [mutate, done], options),
    do: mutate,
    done,
    ...(undo && { undo: { ...undo, calls: callsOf([undo.do, undo.done], undo.calls) } }),
    ...(downtime && { downtime }),
    ...(retryRefused && { retryRefused }),
  };
}

export interface WaitSpec<Deps, Params> extends StepOptions<Deps, Params> {
  every: Duration;
  max?: Duration;
  timeout: Duration;
  expect?: readonly [Duration, Duration];
}

/** A condition polled with adaptive backoff until it holds, or the timeout fails the step. */
export function wait<Deps, Params>(title: string, until: StepFn<Deps, Params, WaitResult>, spec: WaitSpec<Deps, Params>): WaitStep<Deps, Params> {
  const { every, max, timeout, expect, ...options } = spec;
  return { kind: 'wait', ...base(title, [until], options), until, every, timeout, ...(max !== undefined && { max }), ...(expect && { expect }) };
}

/** Holds the run until enough approvers approve (the number comes from policy at start). */
export function approval<Deps = unknown, Params = unknown>(title: string, options: Pick<StepOptions<Deps, Params>, 'cites'> & { binds?: readonly string[] } = {}): ApprovalStep<Deps, Params> {
  const { binds, ...rest } = options;
  return { kind: 'approval', ...base(title, [], rest), ...(binds?.length && { binds }) };
}

/** A human step outside the APIs, confirmed with a button. */
export function manual<Deps, Params>(
  title: string,
  instructions: string | StepFn<Deps, Params, string>,
  options: StepOptions<Deps, Params> & { undo?: ManualUndo<Deps, Params> } = {},
): ManualStep<Deps, Params> {
  const { undo, ...rest } = options;
  const fn: StepFn<Deps, Params, string> = typeof instructions === 'string' ? async () => instructions : instructions;
  return { kind: 'manual', ...base(title, [fn], rest), instructions: fn, ...(undo && { undo }) };
}

/** The registry the engine runs from: runbooks by name. */
export function runbookRegistry<Deps>(...runbooks: Array<Runbook<Deps>>): RunbookRegistry<Deps> {
  return new Map(runbooks.map((r) => [r.name, r]));
}
