import { api } from '../../heroku/calls.js';
import { read, type Fn } from '../deps.js';
import { required } from '../outputs.js';

/** Where Salesforce sends the person after the login. */
const afterLogin = (app: string): string => `https://dashboard.heroku.com/apps/${app}/resources`;

/**
 * The Salesforce login of the new connection, with its authorize_url link (what `heroku
 * connect:sf:auth` opens). `beside` says the old connection keeps running meanwhile: then the help
 * article's note applies, that one Salesforce user for both connections can cause "Attempted to
 * open more than 10 queries to SFDC" errors.
 */
export function salesforceLogin(options: { beside: boolean }): Fn<string> {
  return read([api.connect.authorizeUrl], async (ctx) => {
    const link = await ctx.deps.connect.authorizeUrl(required(ctx, 'newConnection'), { next: afterLogin(ctx.app) });
    return [
      options.beside
        ? 'Open this link and log in to Salesforce, in the org of the old connection, as a user with the same permissions as its integration user:'
        : 'Open this link and log in to Salesforce as the integration user of the old connection (the same org):',
      link,
      ...(options.beside
        ? [
            'Both connections will run side by side until the cutover. Using the same Salesforce user for both can cause "Attempted to open more than 10 queries to SFDC" errors; log in as another integration user if you have one.',
          ]
        : []),
      `It is the link \`heroku connect:sf:auth -a ${ctx.app}\` would open. Confirm once Salesforce shows that access is allowed.`,
    ].join('\n');
  });
}
