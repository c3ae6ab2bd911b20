import { notFound, unprocessable } from '../errors.js';
import { addOnApp, type AddOn } from './addons.js';
import type { App } from './apps.js';
import { resolveDatabase, transactions, type Database } from './databases.js';
import { postgres } from './timings.js';
import type { World } from './world.js';

/**
 * pg:copy. The transfer runs for a time proportional to the source's size, then the target holds
 * the source's data: its size, table count and transaction count (the stand-in for its contents).
 */
export interface Transfer {
  uuid: string;
  num: number;
  /** the target's app, which owns the transfer */
  appId: string;
  fromName: string;
  fromUrl: string;
  toName: string;
  toUrl: string;
  sourceBytes: number;
  createdAt: number;
  startedAt: number;
  /** when the copy will be done; `finishedAt` is set once it is */
  endsAt: number;
  finishedAt?: number;
  canceledAt?: number;
  succeeded?: boolean;
  logs: Array<{ created_at: string; level: string; message: string }>;
}

export interface CopyRequest {
  from_url: string;
  from_name?: string;
  to_url?: string;
  to_name?: string;
}

export function startCopy(world: World, target: { addon: AddOn; database: Database }, request: CopyRequest): Transfer {
  const app = addOnApp(world, target.addon);
  const source = resolveDatabase(world, app, request.from_url);
  if (source.addon.id === target.addon.id) throw unprocessable('Cannot copy database onto itself.');
  if (target.database.leaderId) throw unprocessable(`${target.addon.name} is a follower and cannot be written to.`);
  const now = world.clock.now();
  const duration = Math.max(postgres.transferMinimum, (source.database.numBytes / postgres.transferBytesPerHour) * 3_600_000);
  const transfer: Transfer = {
    uuid: world.ids.uuid(),
    num: [...world.transfers.values()].filter((t) => t.appId === app.id).length + 1,
    appId: app.id,
    fromName: request.from_name ?? source.addon.name,
    fromUrl: source.addon.url ?? request.from_url,
    toName: request.to_name ?? target.addon.name,
    toUrl: target.addon.url ?? request.to_url ?? '',
    sourceBytes: source.database.numBytes,
    createdAt: now,
    startedAt: now,
    endsAt: now + duration,
    logs: [{ created_at: world.clock.iso(now), level: 'info', message: `Copying ${source.addon.name} to ${target.addon.name}` }],
  };
  world.transfers.set(transfer.uuid, transfer);
  world.agenda.plan(`${transfer.uuid}:copy`, [
    {
      after: duration,
      do: () => {
        Object.assign(target.database, {
          numBytes: source.database.numBytes,
          numTables: source.database.numTables,
          txBase: transactions(world, source.database),
          txSince: world.clock.now(),
        });
        finish(world, transfer, true, 'Copy completed');
      },
    },
  ]);
  return transfer;
}

function finish(world: World, transfer: Transfer, succeeded: boolean, message: string): void {
  transfer.finishedAt = world.clock.now();
  transfer.succeeded = succeeded;
  transfer.logs.push({ created_at: world.clock.iso(), level: succeeded ? 'info' : 'error', message });
}

export function cancelTransfer(world: World, transfer: Transfer): void {
  if (transfer.finishedAt !== undefined) throw unprocessable('This transfer has already finished.');
  world.agenda.forget(transfer.uuid);
  transfer.canceledAt = world.clock.now();
  finish(world, transfer, false, 'Transfer canceled by user');
}

/** Bytes copied so far: grows linearly while the transfer runs. */
export function processedBytes(world: World, transfer: Transfer): number {
  const end = transfer.finishedAt ?? world.clock.now();
  const done = transfer.succeeded ? 1 : Math.min(1, (end - transfer.startedAt) / (transfer.endsAt - transfer.startedAt));
  return Math.floor(transfer.sourceBytes * done);
}

export function findTransfer(world: World, app: App, uuid: string): Transfer {
  const transfer = world.transfers.get(uuid) ?? [...world.transfers.values()].find((t) => t.appId === app.id && String(t.num) === uuid);
  if (!transfer || transfer.appId !== app.id) throw notFound('transfer', "Couldn't find that transfer.");
  return transfer;
}
