import { notFound } from '../errors.js';
import type { App } from './apps.js';
import { releasePhase } from './timings.js';
import type { World } from './world.js';

export interface Release {
  id: string;
  version: number;
  description: string;
  status: 'pending' | 'succeeded' | 'failed' | 'expired';
  createdAt: number;
  /** When its status last changed: a release phase's end (Platform API `updated_at`). */
  updatedAt: number;
}

/**
 * Every config change, attach and detach creates a release; `Attach DATABASE (@ref:<add-on>)` texts
 * are inferred. An app with a release phase (a `release` process type in its formation, which is
 * how pg:promote tells) runs it on every release: the release stays `pending` until it finishes.
 */
export function release(world: World, app: App, description: string): Release {
  const entry: Release = {
    id: world.ids.uuid(),
    version: (app.releases.at(-1)?.version ?? 0) + 1,
    description,
    status: hasReleasePhase(app) ? 'pending' : 'succeeded',
    createdAt: world.clock.now(),
    updatedAt: world.clock.now(),
  };
  app.releases.push(entry);
  app.updatedAt = entry.createdAt;
  const ended = () => {
    entry.status = app.releasePhaseFails ? 'failed' : 'succeeded';
    entry.updatedAt = world.clock.now();
  };
  if (entry.status === 'pending') world.agenda.plan(`${entry.id}:release-phase`, [{ after: releasePhase.runs, do: ended }]);
  return entry;
}

export const hasReleasePhase = (app: App) => app.formation.some((f) => f.type === 'release');

/** `{release}` is an id or a version number. */
export function findRelease(app: App, idOrVersion: string): Release {
  const found = app.releases.find((r) => r.id === idOrVersion || String(r.version) === idOrVersion);
  if (!found) throw notFound('release', "Couldn't find that release.");
  return found;
}
