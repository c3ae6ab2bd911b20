import { z } from 'zod';
import { findApp } from '../../world/apps.js';
import { findDatabase } from '../../world/databases.js';
import { cancelTransfer, findTransfer, processedBytes, startCopy, type Transfer } from '../../world/transfers.js';
import type { World } from '../../world/world.js';
import { parseBody } from '../../http/body.js';
import { ok, route, type ApiRequest } from '../../http/router.js';

/**
 * A transfer: no `started_at` = Pending, started but not finished = Running, finished + `succeeded`
 * = Completed, otherwise Failed. `logs` only with `?verbose=true`.
 */
function presentTransfer(world: World, transfer: Transfer, verbose = false) {
  const iso = (t: number | undefined) => (t === undefined ? null : world.clock.iso(t));
  return {
    uuid: transfer.uuid,
    num: transfer.num,
    name: `c${String(transfer.num).padStart(3, '0')}`,
    from_name: transfer.fromName,
    from_type: 'pg_dump',
    from_url: transfer.fromUrl,
    to_name: transfer.toName,
    to_type: 'pg_restore',
    to_url: transfer.toUrl,
    options: {},
    source_bytes: transfer.sourceBytes,
    processed_bytes: processedBytes(world, transfer),
    succeeded: transfer.succeeded ?? false,
    warnings: 0,
    ...(verbose ? { logs: transfer.logs } : {}),
    created_at: iso(transfer.createdAt),
    started_at: iso(transfer.startedAt),
    finished_at: iso(transfer.finishedAt),
    canceled_at: iso(transfer.canceledAt),
    deleted_at: null,
    purged_at: null,
    updated_at: iso(transfer.finishedAt ?? transfer.startedAt),
    schedule: null,
  };
}

const copyBody = z.object({
  from_url: z.string(),
  from_name: z.string().optional(),
  to_url: z.string().optional(),
  to_name: z.string().optional(),
});

const verbose = (req: ApiRequest) => req.query.get('verbose') === 'true';
const transferOf = (req: ApiRequest) => findTransfer(req.world, findApp(req.world, req.param('app')), req.param('uuid'));

export const transferRoutes = [
  /** pg:copy: `{id}` is the target database's add-on. */
  route('POST', '/client/v11/databases/:id/transfers', (req) => {
    const transfer = startCopy(req.world, findDatabase(req.world, req.param('id')), parseBody(copyBody, req.body));
    return ok(presentTransfer(req.world, transfer), 201);
  }),
  route('GET', '/client/v11/apps/:app/transfers', (req) => {
    const app = findApp(req.world, req.param('app'));
    const mine = [...req.world.transfers.values()].filter((t) => t.appId === app.id);
    return ok(mine.map((t) => presentTransfer(req.world, t, verbose(req))));
  }),
  route('GET', '/client/v11/apps/:app/transfers/:uuid', (req) => ok(presentTransfer(req.world, transferOf(req), verbose(req)))),
  route('POST', '/client/v11/apps/:app/transfers/:uuid/actions/cancel', (req) => {
    const transfer = transferOf(req);
    cancelTransfer(req.world, transfer);
    return ok(presentTransfer(req.world, transfer));
  }),
];
