import { AsyncLocalStorage } from 'node:async_hooks';
import { matchesRequest } from '../../src/ops/heroku/calls.js';
import type { RequestObserver } from '../../src/ops/heroku/http.js';
import type { Runbook, RunbookRegistry, Step, StepFn } from '../../src/ops/runbooks/runbook.js';

/**
 * Holds runbook steps to the API calls they declare. `declaring(registry)` runs every step function
 * (and its condition and undo) inside a scope that names the step and its declared calls;
 * `observeRequest`, given to the Heroku clients, checks each request sent inside such a scope
 * against them. A request no declared call matches is a violation, and test/support/setup.ts fails
 * the test it happened in. Requests a test makes itself, outside any step, are not checked.
 */

interface Scope {
  runbook: string;
  step: string;
  calls: readonly string[];
}

export interface Violation {
  runbook: string;
  step: string;
  request: string;
  declared: readonly string[];
}

const scopes = new AsyncLocalStorage<Scope>();

// One list per test file's module registry would be lost between the setup file and the test: keep it global.
const KEY = Symbol.for('connect-ops.test.undeclared-calls');
const globals = globalThis as unknown as Record<symbol, Violation[] | undefined>;
const violations = (): Violation[] => (globals[KEY] ??= []);

/** Every violation so far, cleared. */
export function takeViolations(): Violation[] {
  return violations().splice(0);
}

export const observeRequest: RequestObserver = ({ method, url }) => {
  const scope = scopes.getStore();
  if (!scope) return;
  const path = new URL(url).pathname;
  if (scope.calls.some((line) => matchesRequest(line, method, path))) return;
  violations().push({ runbook: scope.runbook, step: scope.step, request: `${method} ${path}`, declared: scope.calls });
};

function scoped<D, P, T>(fn: StepFn<D, P, T>, scope: Scope): StepFn<D, P, T> {
  return Object.assign((ctx: Parameters<StepFn<D, P, T>>[0]) => scopes.run(scope, () => fn(ctx)), { calls: fn.calls });
}

function declaringStep<D, P>(runbook: string, step: Step<D, P>): Step<D, P> {
  const scope: Scope = { runbook, step: step.title, calls: step.calls };
  const when = step.when && { ...step.when, test: scoped(step.when.test, scope) };
  const base = when ? { ...step, when } : { ...step };
  switch (base.kind) {
    case 'check':
      return { ...base, probe: scoped(base.probe, scope) };
    case 'wait':
      return { ...base, until: scoped(base.until, scope) };
    case 'manual':
      return { ...base, instructions: scoped(base.instructions, scope) };
    case 'approval':
      return base;
    case 'action': {
      const undoScope: Scope | undefined = base.undo && { runbook, step: base.undo.title, calls: base.undo.calls };
      return {
        ...base,
        do: scoped(base.do, scope),
        done: scoped(base.done, scope),
        ...(base.undo && undoScope && { undo: { ...base.undo, do: scoped(base.undo.do, undoScope), done: scoped(base.undo.done, undoScope) } }),
      };
    }
  }
}

/** The registry with every step function run inside its step's scope. */
export function declaring<D>(registry: RunbookRegistry<D>): RunbookRegistry<D> {
  return new Map(
    [...registry].map(([name, runbook]): [string, Runbook<D>] => [name, { ...runbook, steps: (params) => runbook.steps(params).map((step) => declaringStep(name, step)) }]),
  );
}
