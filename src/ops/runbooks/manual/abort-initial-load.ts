import { read, type Fn } from '../deps.js';
import { required } from '../outputs.js';

/**
 * The help article's Prep 7: "Abort" the initial load of the mappings that get new fields, in the new
 * connection, before editing them, so that a table of millions of rows is loaded once (after the
 * edit) and not twice. The Heroku Connect API has no call for it (docs/reference/heroku-connect-api.md,
 * "Open points": no abort endpoint or ABORTED state is known), so it is done in the dashboard; the
 * step after it checks that the mappings are no longer loading.
 */
export function abortInitialLoad(objects: readonly string[]): Fn<string> {
  return read([], async (ctx) => {
    const { name } = required(ctx, 'newConnectAddOn');
    const which = objects.join(', ');
    return [
      `The new connection has started the initial load of every mapping it imported. ${which} will get new fields: abort ${objects.length > 1 ? 'their loads' : 'its load'} now, so that the table is loaded once, after the fields are added, and not twice.`,
      `1. Open the Heroku Connect dashboard of the new connection: \`heroku addons:open ${name} -a ${ctx.app}\`.`,
      `2. On the Mappings tab, open the menu of ${which} and choose Abort.`,
      `Confirm once ${objects.length > 1 ? 'they no longer show' : 'it no longer shows'} Reloading; the run checks that before it edits ${objects.length > 1 ? 'them' : 'it'}.`,
    ].join('\n');
  });
}
