import type { Probe, RunbookDeps } from '../deps.js';
import { action, wait, type ActionStep, type WaitResult, type WaitStep } from '../runbook.js';
import { newDatabaseId } from './addons.js';
import { output, record, required } from './outputs.js';

/** pg:copy (reference 7.6): a transfer from the old database to the new one, followed to `finished_at`. */

const copyStarted: Probe<boolean> = async (ctx) => {
  const uuid = output(ctx, 'transfer');
  if (!uuid) return false;
  await ctx.deps.data.transfer(ctx.app, uuid);
  return true;
};

export function copyStep(): ActionStep<RunbookDeps, unknown> {
  return action('Copy the data to the new database (pg:copy)', {
    do: async (ctx) => {
      const from = required(ctx, 'database');
      const to = required(ctx, 'newDatabase');
      const vars = await ctx.deps.platform.configVars(ctx.app);
      const fromUrl = vars[from.configVar];
      const toUrl = vars[to.configVar];
      if (!fromUrl || !toUrl) throw new Error(`Config var ${fromUrl ? to.configVar : from.configVar} is missing on ${ctx.app}`);
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
    throw new Error(`pg:copy failed${logs ? `: ${logs}` : ''}`);
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
