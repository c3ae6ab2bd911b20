import { read, type Fn } from '../deps.js';
import { required } from '../outputs.js';
import { schemaOf } from '../reads/connection.js';
import { pgName } from './unmanaged-objects.js';

/**
 * The help article's Cutover 3: "Copy any additional data required from the old database to the new
 * database; enable custom triggers". It happens here, with the app's writes stopped and both
 * connections paused, and before the promote: data copied earlier would lose every write made since.
 */
export const copyAdditionalData: Fn<string> = read([], async (ctx) => {
  const schema = schemaOf(ctx);
  const oldDb = pgName(required(ctx, 'database').configVar);
  const newDb = pgName(required(ctx, 'newDatabase').configVar);
  return [
    `${ctx.app} takes no writes and both connections are paused: the old database ${oldDb} is as it will stay. Before the new database is promoted:`,
    `1. Copy the data Heroku Connect does not sync: the app's own tables outside ${schema} (and any table of yours inside it), for example`,
    `   pg_dump --no-owner --exclude-schema=${schema} "$(heroku config:get ${oldDb}_URL -a ${ctx.app})" | psql "$(heroku config:get ${newDb}_URL -a ${ctx.app})"`,
    `2. Enable the custom triggers you created disabled on the new database: ALTER TABLE … ENABLE TRIGGER … (heroku pg:psql ${newDb} -a ${ctx.app}).`,
    'Nothing to copy or enable? Confirm right away. Confirm once done: the promote comes next.',
  ].join('\n');
});
