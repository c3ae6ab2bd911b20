import type { Probe, RunbookDeps } from '../deps.js';
import { action, StepFailed, wait, type ActionStep, type WaitResult, type WaitStep } from '../runbook.js';
import { newDatabaseId } from './addons.js';
import { output, record, required } from './outputs.js';

/**
 * pg:copy (reference 7.6): a transfer from the old database to the new one, followed to `finished_at`.
 * The transfer is sent with the new database's config var as its `to_name`, which carries the run id.
 */

/**
 * Done probe: the app has a transfer to this run's new database (started, or over). Found by its
 * `to_name`, so a crash between the request and recording its uuid never sends a second copy.
 */
const copyStarted: Probe<boolean> = async (ctx) => {
  const planned = output(ctx, 'newDatabase');
  if (!planned) return false;
  const transfer = (await ctx.deps.data.transfers(ctx.app)).find((t) => t.to_name === planned.configVar);
  if (transfer && output(ctx, 'transfer') !== transfer.uuid) await record(ctx, 'transfer', transfer.uuid);
  return transfer !== undefined;
};

export function copyStep(): ActionStep<RunbookDeps, unknown> {
  return action('Copy the data to the new database (pg:copy)', {
    do: async (ctx) => {
      const from = required(ctx, 'database');
      const to = required(ctx, 'newDatabase');
      const vars = await ctx.deps.platform.configVars(ctx.app);
      const fromUrl = vars[from.configVar];
      const toUrl = vars[to.configVar];
      if (!fromUrl || !toUrl) {
        const missing = fromUrl ? to.configVar : from.configVar;
        throw new StepFailed(`Config var ${missing} is missing on ${ctx.app}: there is nothing to copy ${fromUrl ? 'to' : 'from'}.`, {
          next: `Check the app's databases with \`heroku pg:info -a ${ctx.app}\` and \`heroku config -a ${ctx.app}\`, then roll back.`,
        });
      }
      const transfer = await ctx.deps.data.createTransfer(await newDatabaseId(ctx), { from_name: from.configVar, from_url: fromUrl, to_name: to.configVar, to_url: toUrl });
      await record(ctx, 'transfer', transfer.uuid);
    },
    done: copyStarted,
    calls: ['GET /apps/{app}/config-vars', 'POST /client/v11/databases/{id}/transfers'],
  });
}

const copyFinished: Probe<WaitResult> = async (ctx) => {
  const transfer = await ctx.deps.data.transfer(ctx.app, required(ctx, 'transfer'), { verbose: true });
  if (transfer.finished_at) {
    if (transfer.succeeded) return { done: true };
    const logs = (transfer.logs ?? []).slice(-5).map((l) => l.message).join('; ');
    throw new StepFailed(`pg:copy failed${logs ? `: ${logs}` : ''}`, {
      next: 'The old database is unchanged and still the app\'s: roll back to bring the app up again on it (the new database is destroyed), then start the runbook again.',
    });
  }
  const done = transfer.processed_bytes ?? 0;
  const total = transfer.source_bytes ?? 0;
  const progress = total > 0 ? `Copied ${formatBytes(done)} of ${formatBytes(total)}` : 'Copy pending';
  return { done: false, progress, near: total > 0 && done / total > 0.9 };
};

export function copyFinishedStep(): WaitStep<RunbookDeps, unknown> {
  return wait('Wait until the copy has finished', copyFinished, {
    every: '5s',
    max: '1m',
    timeout: '24h',
    expect: ['1m', '2h'],
    calls: ['GET /client/v11/apps/{app}/transfers/{uuid}?verbose=true'],
    next: 'Follow the copy with `heroku pg:copy` output or `heroku pg:backups`; roll back if it failed.',
  });
}

function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
