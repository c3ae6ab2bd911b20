import { describe, expect, it } from '@jest/globals';
import { classifyError, failureCode, stepFailure } from '../../../src/ops/engine/failure.js';
import { HerokuApiError } from '../../../src/ops/heroku/errors.js';
import { StepFailed } from '../../../src/ops/runbooks/runbook.js';

describe('classifyError', () => {
  it('reads the Heroku clients’ errors: status, id, message and request id', () => {
    const error = new HerokuApiError({ api: 'platform', id: 'not_found', message: "Couldn't find that app.", status: 404, requestId: 'abc' });
    expect(classifyError(error)).toEqual({
      transient: false,
      conflict: false,
      operationFailed: false,
      bug: false,
      status: 404,
      herokuId: 'not_found',
      requestId: 'abc',
      message: "Couldn't find that app.",
    });
  });

  it('marks a 409 as a conflict: not transient, but worth retrying for an action', () => {
    const refused = classifyError(new HerokuApiError({ api: 'connect', id: 'conflict', message: 'Connections can only be paused when they are in the IDLE state.', status: 409 }));
    expect(refused).toMatchObject({ transient: false, conflict: true, bug: false, status: 409 });
    expect(failureCode(refused)).toBe('heroku_error');
  });

  it('reads a StepFailed as a failed Heroku operation with its reason and next step', () => {
    const failed = classifyError(new StepFailed('pg:copy failed: Transfer canceled by user', { next: 'Roll back.' }));
    expect(failed).toMatchObject({ transient: false, conflict: false, operationFailed: true, bug: false, message: 'pg:copy failed: Transfer canceled by user', next: 'Roll back.' });
    expect(failureCode(failed)).toBe('operation_failed');
    // Without a next step of its own, the step's applies, then the default.
    const bare = classifyError(new StepFailed('The upgrade failed'));
    expect(stepFailure(failureCode(bare), { idx: 3, title: 'upgrade', next: 'Check pg:upgrade:wait.' }, bare).next).toBe('Check pg:upgrade:wait.');
    expect(stepFailure(failureCode(bare), { idx: 3, title: 'upgrade' }, bare).next).toMatch(/Heroku reports that the operation failed/);
  });

  it('treats 5xx, 429, timeouts and network failures as transient', () => {
    expect(classifyError(new HerokuApiError({ api: 'data', id: 'service_unavailable', message: 'down', status: 503 })).transient).toBe(true);
    expect(classifyError(new HerokuApiError({ api: 'platform', id: 'rate_limit', message: 'slow down', status: 429 })).transient).toBe(true);
    // The clients' timeout after their own retries: no status, reason `unavailable`.
    expect(classifyError(new HerokuApiError({ api: 'connect', id: 'timeout', message: 'timed out', reason: 'unavailable' }))).toMatchObject({ transient: true, bug: false });
    expect(classifyError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })).transient).toBe(true);
    // A got-style error with the body on the response.
    const got = Object.assign(new Error('Response code 502'), { response: { statusCode: 502, body: { id: 'bad_gateway', message: 'Bad Gateway' }, headers: { 'request-id': 'r-1' } } });
    expect(classifyError(got)).toMatchObject({ transient: true, status: 502, herokuId: 'bad_gateway', message: 'Bad Gateway', requestId: 'r-1' });
  });

  it('calls anything else a bug in the runbook', () => {
    const bug = classifyError(new TypeError("Cannot read properties of undefined (reading 'id')"));
    expect(bug).toMatchObject({ transient: false, bug: true });
    expect(failureCode(bug)).toBe('step_error');
  });
});

describe('stepFailure', () => {
  it('prefers the check’s next step, then the step’s, then a default per code and status', () => {
    const step = { idx: 2, title: 'pause Heroku Connect' };
    expect(stepFailure('heroku_error', step, { message: 'nope', status: 409, next: 'Wait for the import.' }).next).toBe('Wait for the import.');
    expect(stepFailure('heroku_error', { ...step, next: 'Ask the Connect admin.' }, { message: 'nope', status: 409 }).next).toBe('Ask the Connect admin.');
    expect(stepFailure('heroku_error', step, { message: 'nope', status: 409 }).next).toMatch(/Another operation is in progress/);
    expect(stepFailure('wait_timeout', step, { message: 'slow' })).toEqual({
      code: 'wait_timeout',
      step: 2,
      stepTitle: 'pause Heroku Connect',
      message: 'slow',
      next: expect.stringMatching(/Heroku Dashboard/),
    });
  });
});
