import { z } from 'zod';
import type { RunbookDeps } from './deps.js';
import { connectionStates } from './documents.js';
import { restart as restartConnection } from './mutations/restart.js';
import { APP, appName } from './params.js';
import { connectionFoundCheck } from './preflight.js';
import { connectionRestartable, outOfError, syncsAgain } from './reads/connection-state.js';
import { HEROKU_CONNECT } from './reads/connection.js';
import { mappingsSynced } from './reads/mappings.js';
import { action, check, runbook, wait } from './runbook.js';
import { timing } from './timings.js';

export const restartParams = z.object({ app: appName });

/**
 * `connect:recover` (Dev Center "Heroku Connect Connection States Reference": SYSTEM_ERROR and
 * DB_UNAVAILABLE both want sync resumed): `actions/restart` "clears errors and attempts to resume
 * sync operations"; the connection goes through RECOVERY, then every mapping syncs again.
 */
export const restart = runbook<RunbookDeps, z.infer<typeof restartParams>>({
  name: 'restart',
  summary: 'Restart Heroku Connect after SYSTEM_ERROR or DB_UNAVAILABLE (connect:recover) and wait until every mapping is synced',
  document: connectionStates,
  command: { command: 'restart', params: [APP], examples: ['restart acme-prod'] },
  params: restartParams,
  steps: () => [
    connectionFoundCheck(),
    check('Heroku Connect is in an error state a restart recovers from (SYSTEM_ERROR or DB_UNAVAILABLE)', connectionRestartable),
    action('Restart Heroku Connect (connect:recover)', { do: restartConnection(HEROKU_CONNECT), done: outOfError(HEROKU_CONNECT), cites: 'connect:recover' }),
    wait('Wait until Heroku Connect syncs again (IDLE or POLLING_DB_CHANGES)', syncsAgain(HEROKU_CONNECT), timing.recovered),
    wait('Wait until every mapping is DATA_SYNCED', mappingsSynced(HEROKU_CONNECT, 'all'), timing.mappingsSynced),
  ],
});
