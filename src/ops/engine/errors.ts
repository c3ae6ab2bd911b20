import type { ReasonCode } from './types.js';

/** A refusal by the engine's API (bad parameters, locked app, unknown run); `code` says which. */
export class EngineError extends Error {
  constructor(
    readonly code: ReasonCode,
    message: string,
    readonly detail: { runId?: string; problems?: string[] } = {},
  ) {
    super(message);
    this.name = 'EngineError';
  }

  /** The run that holds the app, for `app_locked`. */
  get runId(): string | undefined {
    return this.detail.runId;
  }

  /** One line per invalid parameter, for `invalid_params`. */
  get problems(): string[] {
    return this.detail.problems ?? [];
  }
}
