import { StepFailed } from '../runbooks/runbook.js';
import type { ReasonCode, RunError } from './types.js';

/**
 * What a thrown error means to the engine. The Heroku clients' errors are duck-typed here (the engine
 * never imports them): this is the one module that reads unknown error objects.
 */
export interface Failure {
  /** Worth re-probing and retrying: 5xx, 408, 429, timeouts and network errors. */
  transient: boolean;
  /** 409: the resource is in a state that refuses the request now (a Connect poll under way); an action retries it. */
  conflict: boolean;
  /** A runbook's StepFailed: the Heroku operation failed, and `message` and `next` say how. */
  operationFailed: boolean;
  /** Not an HTTP or network error at all: a bug in a runbook. */
  bug: boolean;
  status?: number;
  herokuId?: string;
  requestId?: string;
  message: string;
  next?: string;
}

const NETWORK_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'EPIPE', 'EAI_AGAIN',
  'ENOTFOUND', 'ENETUNREACH', 'EHOSTUNREACH', 'ETIMEOUT',
]);

type Loose = Record<string, unknown> | undefined;

const field = (o: unknown, key: string): unknown => (o && typeof o === 'object' ? (o as Record<string, unknown>)[key] : undefined);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export function classifyError(error: unknown): Failure {
  if (error instanceof StepFailed) {
    return { transient: false, conflict: false, operationFailed: true, bug: false, message: error.message, next: error.next };
  }
  const response = field(error, 'response') as Loose;
  const body = (field(error, 'body') ?? field(response, 'body')) as Loose;
  const statusValue = field(error, 'status') ?? field(error, 'statusCode') ?? field(response, 'statusCode');
  const status = typeof statusValue === 'number' ? statusValue : undefined;
  const code = text(field(error, 'code'));
  const message = text(field(body, 'message')) ?? text(field(body, 'error')) ?? (error instanceof Error ? error.message : String(error));
  const herokuId = text(field(error, 'id')) ?? text(field(body, 'id'));
  const requestId = text(field(error, 'requestId')) ?? text(field(field(response, 'headers'), 'request-id'));
  // The Heroku clients say what kind of failure it was; a timeout after their own retries has no status.
  const reason = text(field(error, 'reason'));
  const network = (code !== undefined && NETWORK_CODES.has(code)) || reason === 'unavailable' || reason === 'rate_limit';
  const transient = status !== undefined ? status >= 500 || status === 408 || status === 429 : network;
  const bug = status === undefined && !network && herokuId === undefined && reason === undefined;
  return { transient, conflict: status === 409, operationFailed: false, bug, status, herokuId, requestId, message };
}

/** The reason code of a failure that ends a run. */
export function failureCode(failure: Failure): ReasonCode {
  if (failure.operationFailed) return 'operation_failed';
  if (failure.bug) return 'step_error';
  return failure.transient ? 'retries_exhausted' : 'heroku_error';
}

/** The next thing to try, when the step names none. */
export function defaultNext(code: ReasonCode, status?: number): string {
  switch (code) {
    case 'heroku_error':
      if (status === 401) return 'Check that HEROKU_API_KEY is a valid token (`heroku authorizations`), then start the runbook again.';
      if (status === 403) return 'Give the connect-ops token access to the app (`heroku access:add`), then start the runbook again.';
      if (status === 404) return 'Check the app name and that the resource still exists (`heroku addons -a APP`), then start the runbook again.';
      if (status === 409) return 'Another operation is in progress on the app; wait for it to finish, then start the runbook again.';
      return 'Correct what Heroku reports, then start the runbook again: steps already in effect are detected and not repeated.';
    case 'retries_exhausted':
      return 'Heroku kept failing; check status.heroku.com and start the runbook again once it recovers, or roll back.';
    case 'wait_timeout':
      return 'Check the app in the Heroku Dashboard; start the runbook again once the condition holds, or roll back.';
    case 'operation_failed':
      return 'Heroku reports that the operation failed: check the app in the Heroku Dashboard (`heroku addons`, `heroku pg:info`), then roll back or start again.';
    case 'check_failed':
      return 'Resolve the reason above, then start the runbook again. Nothing was changed.';
    case 'step_error':
      return 'This is a bug in the runbook: report it with the run id. Check the app before starting again.';
    case 'runbook_changed':
      return 'The runbook changed while this run was in progress (a deploy); check the app, roll back if needed and start again.';
    case 'approval_rejected':
      return 'Talk to the approver who rejected, then start the runbook again.';
    case 'approval_expired':
      return 'Start the runbook again and ask approvers to decide before the request expires.';
    case 'cancelled':
      return 'Roll back with the steps offered, or leave the app as it is.';
    case 'app_locked':
      return 'Wait for the run that holds the app to finish, or cancel it.';
    case 'invalid_params':
      return 'Correct the parameters listed and try again.';
    case 'unknown_runbook':
      return 'Run `connect-ops plan --help` to list the runbooks.';
    case 'run_not_found':
      return 'Check the run id with `connect-ops runs`.';
    case 'run_active':
      return 'Cancel the run first; a rollback starts from a finished run.';
    case 'nothing_to_roll_back':
      return 'Nothing the run changed has an undo step; check the app by hand.';
  }
}

/** A step's failure, naming the step, Heroku's error id and message, and the next thing to try. */
export function stepFailure(
  code: ReasonCode,
  step: { idx: number; title: string; next?: string },
  detail: { message: string; status?: number; herokuId?: string; requestId?: string; next?: string },
): RunError {
  const error: RunError = {
    code,
    step: step.idx,
    stepTitle: step.title,
    message: detail.message,
    next: detail.next ?? step.next ?? defaultNext(code, detail.status),
  };
  if (detail.status !== undefined) error.status = detail.status;
  if (detail.herokuId) error.herokuId = detail.herokuId;
  if (detail.requestId) error.requestId = detail.requestId;
  return error;
}
