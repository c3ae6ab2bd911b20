/**
 * Heroku's error vocabulary. The Platform and data APIs answer `{id, message}`; Heroku Connect answers
 * `{message}` (docs/reference/heroku-connect-api.md §7). World code throws ApiError and the server renders
 * it in the shape of the host that was asked.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly id: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new ApiError(400, 'bad_request', message);

export const notFound = (resource: string, message = `Couldn't find that ${resource.replace('_', ' ')}.`) =>
  new ApiError(404, 'not_found', message, { resource });

export const invalidParams = (message: string) => new ApiError(422, 'invalid_params', message);

/** The data API's 422 (upgrade errors use it). */
export const unprocessable = (message: string) => new ApiError(422, 'unprocessable_entity', message);

/** Heroku Connect refuses an action in the wrong state with 409 and a message. */
export const conflict = (message: string, extra: Record<string, unknown> = {}) => new ApiError(409, 'conflict', message, extra);

/** Repeat the request with `confirm: <app>` (seen as 423 with X-Confirmation-Required). */
export const confirmationRequired = (app: string, message: string) =>
  new ApiError(423, 'confirmation_required', `${message} To proceed, re-run the request with confirm: ${app}.`, {}, {
    'X-Confirmation-Required': 'addon_attachment',
  });
