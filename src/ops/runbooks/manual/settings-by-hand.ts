import { read, type Fn } from '../deps.js';
import { required } from '../outputs.js';

/**
 * What Heroku Connect's export does not carry, with the old connection's values: Merged Writes (the
 * write algorithm), application logging, notifications and access, beta features and the Salesforce
 * API version (a new connection gets the latest one). Set by hand in the new connection's dashboard.
 */
export const settingsByHand: Fn<string> = read([], async (ctx) => {
  const { apiVersion, features, logging } = required(ctx, 'settings');
  const shown = Object.entries(features).map(([name, on]) => `${name}: ${String(on)}`).join(', ') || 'none reported';
  const merged = features.poll_db_no_merge === undefined ? 'not reported' : features.poll_db_no_merge ? 'off (poll_db_no_merge: true, ordered writes)' : 'on (poll_db_no_merge: false)';
  return [
    `The new connection of ${ctx.app} has its mappings; these settings are not in the export file. Set them in the Heroku Connect dashboard of the new connection (Settings):`,
    `1. Merged Writes (Settings > Manage Connection, Write Algorithm): the old connection had Merged Writes ${merged}.`,
    `2. Application logging: the old connection had it ${logging === true ? 'on' : logging === false ? 'off' : 'not reported'}.`,
    '3. Notifications and access: add the notification e-mails and the people of the old connection again (Settings > Notifications, Manage Access).',
    `4. Beta features: enable again those the old connection had (features were: ${shown}).`,
    `5. Salesforce API version: the old connection used ${apiVersion ?? 'a version not reported'}; a new connection gets the latest. Set it with \`heroku connect:manage-sf-api-version -a ${ctx.app}\` if it should stay.`,
    'Confirm once done.',
  ].join('\n');
});
