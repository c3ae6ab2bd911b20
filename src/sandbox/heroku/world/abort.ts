import { conflict } from '../errors.js';
import type { App } from './apps.js';
import { abortLoad } from './mappings.js';
import type { World } from './world.js';

/**
 * What a person does in the Heroku Connect dashboard: abort the load of `object`'s mapping, on the
 * newest of the app's connections whose mapping of it is loading (add-column's parallel connection).
 */
export function abortNewestLoad(world: World, app: App, object: string): void {
  world.agenda.settle();
  const loading = [...world.connections.values()]
    .filter((c) => c.appId === app.id)
    .sort((a, b) => b.createdAt - a.createdAt)
    .flatMap((connection) => connection.mappings.filter((m) => m.objectName.toLowerCase() === object.toLowerCase()).map((mapping) => ({ connection, mapping })))
    .find(({ mapping }) => ['INITIAL', 'RELOAD_TABLE', 'RESYNC'].includes(mapping.state));
  if (!loading) throw conflict(`No connection of ${app.name} is loading ${object}.`);
  abortLoad(world, loading.connection, loading.mapping);
}
