import { z } from 'zod';
import type { RunbookDeps } from './deps.js';
import { pauseConnectSteps } from './probes/connection.js';
import { appName } from './probes/params.js';
import { connectionFoundCheck, connectionSyncingCheck } from './probes/preflight.js';
import { runbook } from './runbook.js';

export const pauseParams = z.object({ app: appName });

/** `connect:pause`, done safely: only from IDLE, waiting for it (bounded), until PAUSED. */
export const pause = runbook<RunbookDeps, z.infer<typeof pauseParams>>({
  name: 'pause',
  summary: 'Pause Heroku Connect once it is IDLE',
  params: pauseParams,
  steps: () => [connectionFoundCheck(), connectionSyncingCheck(), ...pauseConnectSteps()],
});
