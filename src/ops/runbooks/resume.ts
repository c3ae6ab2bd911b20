import { z } from 'zod';
import type { RunbookDeps } from './deps.js';
import { connectionPaused, resumeConnectStep } from './probes/connection.js';
import { verifyConnectStep } from './probes/mapping-states.js';
import { appName } from './probes/params.js';
import { connectionFoundCheck } from './probes/preflight.js';
import { check, runbook } from './runbook.js';

export const resumeParams = z.object({ app: appName });

/** `connect:resume`: changes made while paused are synced, then every mapping is DATA_SYNCED again. */
export const resume = runbook<RunbookDeps, z.infer<typeof resumeParams>>({
  name: 'resume',
  summary: 'Resume Heroku Connect where it left off and wait until every mapping is synced',
  params: resumeParams,
  steps: () => [
    connectionFoundCheck(),
    check('Heroku Connect is PAUSED', connectionPaused, { calls: ['GET /api/v3/connections/{id}?deep=true'] }),
    resumeConnectStep(),
    verifyConnectStep(),
  ],
});
