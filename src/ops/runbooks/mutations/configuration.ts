import { api } from '../../heroku/calls.js';
import { mutation, type Fn } from '../deps.js';
import { required } from '../outputs.js';

/** `connect:import` of the configuration kept with the run into the new connection; it goes through IMPORT_CONFIGURATION. */
export const importConfiguration: Fn<void> = mutation([api.connect.importConfiguration], async (ctx) => {
  await ctx.deps.connect.importConfiguration(required(ctx, 'newConnection'), required(ctx, 'configuration'));
});
