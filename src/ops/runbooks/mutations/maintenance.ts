import { api } from '../../heroku/calls.js';
import { mutation, type Fn } from '../deps.js';

/** `maintenance:on` / `maintenance:off`: web dynos serve a maintenance page, so the app's users stop writing. */
export function setMaintenance(on: boolean): Fn<void> {
  return mutation([api.platform.setMaintenance], async (ctx) => {
    await ctx.deps.platform.setMaintenance(ctx.app, on);
  });
}
