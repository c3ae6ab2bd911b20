import { z } from 'zod';
import type { RunbookDeps } from './deps.js';
import { syncAndConnections } from './documents.js';
import { pause as pauseConnection } from './mutations/pause.js';
import { resume } from './mutations/resume.js';
import { APP, appName } from './params.js';
import { connectionFoundCheck, connectionSyncingCheck } from './preflight.js';
import { connectionReaches, notPaused, pausedOrPausing } from './reads/connection-state.js';
import { HEROKU_CONNECT } from './reads/connection.js';
import { action, runbook, wait } from './runbook.js';
import { pauseRetry, timing } from './timings.js';

export const pauseParams = z.object({ app: appName });

/**
 * `connect:pause`, done safely (Dev Center "Managing Heroku Connect Sync and Connections", "Pause a
 * Connection", which has no numbered steps): "Connections can only be paused when they are in the
 * IDLE state", so wait for IDLE (bounded), pause (a busy connection refuses: back to waiting, within
 * the step's timeout), and wait while it "completes any pending operations".
 */
export const pause = runbook<RunbookDeps, z.infer<typeof pauseParams>>({
  name: 'pause',
  summary: 'Pause Heroku Connect once it is IDLE, and wait until it is PAUSED',
  document: syncAndConnections.pause,
  command: { command: 'pause', params: [APP], examples: ['pause acme-prod'] },
  params: pauseParams,
  steps: () => [
    connectionFoundCheck(),
    connectionSyncingCheck(),
    wait('Wait until Heroku Connect is IDLE', connectionReaches(HEROKU_CONNECT, 'IDLE'), timing.untilIdle),
    action('Pause Heroku Connect', {
      do: pauseConnection(HEROKU_CONNECT),
      done: pausedOrPausing(HEROKU_CONNECT),
      undo: { title: 'Resume Heroku Connect', do: resume(HEROKU_CONNECT), done: notPaused(HEROKU_CONNECT) },
      retryRefused: pauseRetry,
    }),
    wait('Wait until Heroku Connect is PAUSED', connectionReaches(HEROKU_CONNECT, 'PAUSED'), timing.untilPaused),
  ],
});
