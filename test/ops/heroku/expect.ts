import { HerokuApiError } from '../../../src/ops/heroku/errors.js';

/** The HerokuApiError a call failed with; throws if it succeeded or failed otherwise. */
export async function herokuError(promise: Promise<unknown>): Promise<HerokuApiError> {
  const error = await promise.then(
    (value: unknown) => new Error(`expected a HerokuApiError, got ${JSON.stringify(value)?.slice(0, 200)}`),
    (e: unknown) => e,
  );
  if (error instanceof HerokuApiError) return error;
  throw error instanceof Error ? error : new Error(String(error));
}
