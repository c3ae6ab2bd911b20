import { Command, InvalidArgumentError } from 'commander';
import ms from 'ms';
import type { AuditEvent, RunError, RunReader, RunView } from '../ops/engine/index.js';

/**
 * `connect-ops runs [-a APP]`: recent runs from the store. `connect-ops runs show RUN`: one run with
 * its steps, approvals, error, rollback steps and audit trail. Read-only; no engine is started.
 */

export interface RunsCommandDeps {
  /** Opens the store for reading; the command closes it when done. */
  open: () => Promise<{ reader: RunReader; close(): Promise<void> }>;
  write?: (text: string) => void;
}

export function runsCommand(deps: RunsCommandDeps): Command {
  const write = deps.write ?? ((text: string) => process.stdout.write(text));
  const withReader = async (use: (reader: RunReader) => Promise<string>) => {
    const { reader, close } = await deps.open();
    try {
      write(await use(reader));
    } finally {
      await close();
    }
  };

  // Both subcommands take --json: `runs` alone lists, so the list is the default subcommand.
  const command = new Command('runs').description('runs from the store: `runs [-a APP]` lists them, `runs show RUN` shows one');
  command
    .command('list', { isDefault: true })
    .description('list recent runs, newest first')
    .option('-a, --app <app>', 'only runs on this Heroku app')
    .option('-n, --limit <n>', 'how many runs', positiveInt, 20)
    .option('--active', 'only runs that have not finished')
    .option('--json', 'one JSON object per run')
    .action((options: { app?: string; limit: number; active?: boolean; json?: boolean }) =>
      withReader(async (reader) => {
        const runs = await reader.listRuns({ app: options.app, limit: options.limit, active: options.active });
        if (options.json) return runs.map((r) => `${JSON.stringify(r)}\n`).join('');
        return runs.length === 0 ? 'No runs.\n' : runs.map(runLine).join('');
      }),
    );

  command
    .command('show')
    .description('one run: its steps, approvals, error, rollback steps and audit trail')
    .argument('<run>', 'the run id, as `connect-ops runs` prints it')
    .option('--json', 'the run and its audit trail as one JSON object')
    .action((runId: string, options: { json?: boolean }) =>
      withReader(async (reader) => {
        const run = await reader.getRun(runId);
        if (!run) throw new Error(`There is no run ${runId}. List them with \`connect-ops runs\`.`);
        const audit = await reader.auditTrail(runId);
        return options.json ? `${JSON.stringify({ run, audit }, null, 2)}\n` : showRun(run, audit);
      }),
    );
  return command;
}

function runLine(run: RunView): string {
  const done = run.steps.filter((s) => s.status === 'done' || s.status === 'skipped').length;
  return `${run.id}  ${time(run.createdAt)}  ${run.app}  ${run.runbook}  ${run.status}  ${done}/${run.steps.length} steps  by ${run.requestedBy}\n`;
}

export function showRun(run: RunView, audit: AuditEvent[]): string {
  const lines = [
    `Run ${run.id}: ${run.runbook} on ${run.app}, ${run.status}${run.cancelRequested && !run.finishedAt ? ' (cancelling)' : ''}`,
    `Requested by ${run.requestedBy}${run.channel ? ` in ${run.channel}` : ''} at ${time(run.createdAt)}${run.finishedAt ? `; finished at ${time(run.finishedAt)}` : ''}`,
  ];
  if (run.rollbackOf) lines.push(`Rolls back run ${run.rollbackOf}`);
  if (run.notBefore) lines.push(`Cutover not before ${time(run.notBefore)}`);
  if (run.heldFor) lines.push(`Held for ${run.heldFor.title} until ${time(run.heldFor.end)}${run.heldFor.link ? ` (${run.heldFor.link})` : ''}`);
  if (run.approvalsRequired > 0 || run.approvals.length > 0) {
    const decisions = run.approvals.map((a) => `${a.userId} ${a.decision === 'approve' ? 'approved' : 'rejected'}${a.valid ? '' : ' (an older plan)'}`);
    lines.push(`Approvals (${run.approvalsRequired} needed): ${decisions.join(', ') || 'none yet'}`);
  }
  const scale = run.timeScale ?? 1;
  if (scale !== 1) lines.push(`Simulated time: durations are ${scale}× the wall clock; timestamps are the wall clock (CONNECT_OPS_TIME_SCALE=${scale})`);
  if (run.downtime) {
    lines.push(`Downtime: ${run.downtime.ms === null ? `since ${time(run.downtime.startedAt)}` : ms(Math.round(run.downtime.ms * scale), { long: true })}`);
  }
  if (run.error) lines.push(...errorLines(run.error));
  if (run.rollback && run.rollback.changed.length > 0) {
    lines.push(`The run changed: ${run.rollback.changed.join('; ')}`);
    if (run.rollback.steps.length > 0) lines.push(`To roll back, in order: ${run.rollback.steps.map((s) => s.title).join('; ')}`);
    if (run.rollback.notUndoable.length > 0) lines.push(`No undo step (check by hand): ${run.rollback.notUndoable.join('; ')}`);
  }
  lines.push('', 'Steps:');
  for (const step of run.steps) {
    const detail = [
      step.attempts > 1 ? `${step.attempts} attempts` : '',
      step.progress ? step.progress : '',
      step.nextPollAt && step.status === 'waiting' ? `next poll ${time(step.nextPollAt)}` : '',
      step.error && step.status !== 'failed' ? `last error: ${step.error.message}` : '',
      step.status === 'skipped' && step.skipReason ? `not taken: ${step.skipReason}` : '',
    ].filter(Boolean);
    lines.push(`  ${String(step.idx + 1).padStart(2)}. ${step.status.padEnd(9)} ${step.kind.padEnd(8)} ${step.title}${detail.length > 0 ? `  (${detail.join('; ')})` : ''}`);
    if (step.status === 'held' && step.instructions) lines.push(`      ${step.instructions}`);
  }
  lines.push('', 'Audit trail:');
  for (const event of audit) {
    const detail = Object.keys(event.detail).length > 0 ? `  ${JSON.stringify(event.detail)}` : '';
    lines.push(`  ${time(event.at)}  ${event.actor}  ${event.type}${detail}`);
  }
  return `${lines.join('\n')}\n`;
}

function errorLines(error: RunError): string[] {
  const where = error.stepTitle ? ` at step ${error.step! + 1} "${error.stepTitle}"` : '';
  const heroku = [error.status ? `HTTP ${error.status}` : '', error.herokuId ? `Heroku error id ${error.herokuId}` : '', error.requestId ? `request ${error.requestId}` : '']
    .filter(Boolean)
    .join(', ');
  return [`${error.code}${where}: ${error.message}${heroku ? ` (${heroku})` : ''}`, `Next: ${error.next}`];
}

/** ISO without milliseconds: 2026-07-01T12:00:03Z. */
const time = (iso: string) => iso.replace(/\.\d{3}Z$/, 'Z');

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number above 0');
  return n;
}
