import { z } from 'zod';
import { findDatabase, type Database } from '../../world/databases.js';
import { cancelUpgrade, dryRunUpgrade, prepareUpgrade, runUpgrade, upgradeWaitStatus } from '../../world/upgrades.js';
import type { World } from '../../world/world.js';
import { parseBody } from '../../http/body.js';
import { ok, route, type ApiRequest } from '../../http/router.js';

const versionBody = z.object({ version: z.union([z.string(), z.number()]).optional() }).loose();

/** Each upgrade action answers `{message}`; errors carry the documented texts (world/upgrades.ts). */
const action = (path: string, act: (world: World, database: Database, version?: string | number) => string) =>
  route('POST', `/client/v11/databases/:id/upgrade/${path}`, (req: ApiRequest) => {
    const { database } = findDatabase(req.world, req.param('id'));
    return ok({ message: act(req.world, database, parseBody(versionBody, req.body).version) });
  });

export const upgradeRoutes = [
  action('prepare', prepareUpgrade),
  action('run', runUpgrade),
  action('dry_run', dryRunUpgrade),
  action('cancel', (world, database) => cancelUpgrade(world, database)),
  route('GET', '/client/v11/databases/:id/upgrade/wait_status', (req) =>
    ok(upgradeWaitStatus(req.world, findDatabase(req.world, req.param('id')).database)),
  ),
];
