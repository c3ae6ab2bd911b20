import { api } from '../../heroku/calls.js';
import { read, type Fn } from '../deps.js';
import { output, record, required } from '../outputs.js';
import { StepFailed, type WaitResult } from '../runbook.js';

/**
 * pg:copy (docs/reference/heroku-platform-and-postgres-api.md, "Transfers"): a transfer from the old
 * database to the new one, followed to `finished_at`. It is sent with the new database's config var
 * as its `to_name`, which carries the run id, so it can be found without its uuid.
 */

/**
 * Done probe: the app has a transfer to this run's new database (started, or over). Found by its
 * `to_name`, so a crash between the request and recording its uuid never sends a second copy.
 */
export const copyStarted: Fn<boolean> = read([api.data.transfers], async (ctx) => {
  const planned = output(ctx, 'newDatabase');
  if (!planned) return false;
  const transfer = (await ctx.deps.data.transfers(ctx.app)).find((t) => t.to_name === planned.configVar);
  if (transfer && output(ctx, 'transfer') !== transfer.uuid) await record(ctx, 'transfer', transfer.uuid);
  return transfer !== undefined;
});

/** Wait: the copy finished; one that did not succeed fails the step with its last log lines. */
export const copyFinished: Fn<WaitResult> = read([api.data.transfer], async (ctx) => {
  const transfer = await ctx.deps.data.transfer(ctx.app, required(ctx, 'transfer'), { verbose: true });
  if (transfer.finished_at) {
    if (transfer.succeeded) return { done: true };
    const logs = (transfer.logs ?? []).slice(-5).map((l) => l.message).join('; ');
    throw new StepFailed(`pg:copy failed${logs ? `: ${logs}` : ''}`, {
      next: "The old database is unchanged and still the app's: roll back to bring the app up again on it (the new database is destroyed), then start the runbook again.",
    });
  }
  const done = transfer.processed_bytes ?? 0;
  const total = transfer.source_bytes ?? 0;
  const progress = total > 0 ? `Copied ${formatBytes(done)} of ${formatBytes(total)}` : 'Copy pending';
  // Bytes left drain at the copy's speed: the engine measures it and polls densely only near the end.
  return { done: false, progress, remaining: total > 0 ? Math.max(0, total - done) : undefined };
});

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
