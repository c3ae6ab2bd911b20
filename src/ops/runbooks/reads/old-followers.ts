import { api } from '../../heroku/calls.js';
import { isNotFound } from '../../heroku/errors.js';
import { read, type Fn } from '../deps.js';
import { record, required } from '../outputs.js';
import type { CheckResult } from '../runbook.js';

/**
 * Existing followers of the old database (issue 10 part 6): a cutover does not move them. They keep
 * following the old leader, so an app reading one (a read replica) reads data that no longer changes.
 * Heroku has no call to repoint a follower: a new one is created with `--follow` on the new database
 * (docs/reference/heroku-platform-and-postgres-api.md, "Add-on create": `follow` takes
 * `app::CONFIG_VAR_URL` or a database URL), its names are moved to it, and the old one is destroyed.
 * This check lists them, with those commands, for the run summary (`followUps`); it never fails.
 */
export const oldFollowersListed: Fn<CheckResult> = read([api.platform.addOn, api.data.database], async (ctx) => {
  const consumers = required(ctx, 'consumers');
  const newDb = required(ctx, 'newDatabase');
  const followUps: string[] = [];
  for (const follower of consumers.followers) {
    const addOn = await ctx.deps.platform.addOn(follower.app, follower.addonName).catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw error;
    });
    if (!addOn) continue;
    const database = await ctx.deps.data.database(addOn.id);
    if (!database.following) continue;
    followUps.push(
      `${addOn.name} on ${follower.app} still follows the old database ${consumers.database.addonName}. Recreate it on the new one: ` +
        `\`heroku addons:create ${addOn.plan.name} --follow ${ctx.app}::${newDb.configVar} -a ${follower.app}\`, wait for it (\`heroku pg:wait -a ${follower.app}\`), ` +
        `attach it under the names ${addOn.name} has (\`heroku addons:attach NEW_FOLLOWER --as NAME --confirm ${follower.app} -a ${follower.app}\`), ` +
        `then \`heroku addons:destroy ${addOn.name} -a ${follower.app}\`.`,
    );
  }
  if (consumers.otherFollowers > 0) {
    followUps.push(
      `${consumers.otherFollowers} more follower${consumers.otherFollowers === 1 ? '' : 's'} of ${consumers.database.addonName} (on apps this token does not see) still follow${consumers.otherFollowers === 1 ? 's' : ''} it: ` +
        `recreate ${consumers.otherFollowers === 1 ? 'it' : 'them'} with \`--follow\` on the new database (\`heroku pg:info ${consumers.database.addonName}\` lists them).`,
    );
  }
  await record(ctx, 'followUps', followUps);
  return { ok: true };
});
