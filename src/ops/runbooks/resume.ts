import { z } from 'zod';
import type { RunbookDeps } from './deps.js';
import { syncAndConnections } from './documents.js';
import { resume as resumeConnection } from './mutations/resume.js';
import { APP, appName } from './params.js';
import { connectionFoundCheck } from './preflight.js';
import { connectionPaused, notPaused } from './reads/connection-state.js';
import { HEROKU_CONNECT } from './reads/connection.js';
import { mappingsSynced } from './reads/mappings.js';
import { action, check, runbook, wait } from './runbook.js';
import { timing } from './timings.js';

export const resumeParams = z.object({ app: appName });

/**
 * `connect:resume` (Dev Center "Managing Heroku Connect Sync and Connections", "Resume a
 * Connection"): "Any changes made to data in the Heroku Postgres database or in Salesforce while it
 * was paused automatically syncs upon resuming the connection"; the run waits until they have.
 */
export const resume = runbook<RunbookDeps, z.infer<typeof resumeParams>>({
  name: 'resume',
  summary: 'Resume Heroku Connect where it left off and wait until every mapping is synced',
  document: syncAndConnections.resume,
  command: { command: 'resume', params: [APP], examples: ['resume acme-prod'] },
  params: resumeParams,
  steps: () => [
    connectionFoundCheck(),
    check('Heroku Connect is PAUSED', connectionPaused),
    action('Resume Heroku Connect', { do: resumeConnection(HEROKU_CONNECT), done: notPaused(HEROKU_CONNECT) }),
    wait('Wait until every mapping is DATA_SYNCED', mappingsSynced(HEROKU_CONNECT, 'all'), timing.mappingsSynced),
  ],
});
