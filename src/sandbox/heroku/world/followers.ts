import { unprocessable } from '../errors.js';
import { transactions, type Database } from './databases.js';
import { follower, postgres } from './timings.js';
import { writeSpans, writesOf, writingAt } from './writes.js';
import type { World } from './world.js';

/**
 * Follower lag ("Behind By"). It starts high when the follower becomes available, catches up over
 * simulated hours while the leader's app takes writes, then hovers at a small positive number.
 * It drains to 0 commits only once nothing writes to the leader any more: no process of any app it
 * is attached to (web behind maintenance mode, other types at 0), no one-off dyno (writes.ts).
 */
export function behindBy(world: World, database: Database): number | undefined {
  const leader = database.leaderId ? world.addons.get(database.leaderId) : undefined;
  if (!leader || database.availableAt === undefined) return undefined;
  const writes = writesOf(world, leader.id);
  const now = world.clock.now();
  let lag = follower.initialLag;
  for (const span of writeSpans(writes, database.availableAt, now)) {
    lag = span.writing
      ? follower.hover + (lag - follower.hover) * Math.exp(-span.ms / follower.catchUpTimeConstant)
      : Math.max(0, lag - (span.ms / 60_000) * follower.replayPerMinute);
  }
  if (!writingAt(writes, now)) return Math.floor(lag);
  const jitter = follower.hoverJitter * Math.sin(now / 97_000);
  return Math.max(1, Math.round(lag + jitter));
}

export function followersOf(world: World, leader: Database): Database[] {
  return [...world.databases.values()].filter((d) => d.leaderId === leader.addonId);
}

/** Unfollow is not instant: `following` clears a little later, and the follower becomes a fork. */
export function unfollow(world: World, database: Database): void {
  if (!database.leaderId) throw unprocessable(`${world.addons.get(database.addonId)?.name ?? 'This database'} is not a follower.`);
  world.agenda.plan(`${database.addonId}:unfollow`, [{ after: postgres.unfollow, do: () => becomeFork(world, database) }]);
}

export function becomeFork(world: World, database: Database): void {
  if (!database.leaderId) return;
  database.txBase = transactions(world, database);
  database.txSince = world.clock.now();
  database.forkedFromId = database.leaderId;
  database.forkedAt = database.txSince;
  database.leaderId = undefined;
}
