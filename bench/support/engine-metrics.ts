import type { RunView } from '../../src/ops/engine/index.js';
import type { AppReport, SimClockReading } from './engine-sim.js';

/**
 * What bench/engine.ts measures, from each run's steps, the polls of its waits and the simulator's
 * account of the app (requests, and when something changed). Times are simulated milliseconds.
 *
 * - A wait's condition became true at the last change on the app between the poll before the one
 *   that saw it and that poll (exact); without a change there (follower lag, say) only the bound is
 *   known: the gap between those two polls. A wait whose first poll saw it found it already true.
 * - The minimum a procedure needs: its mutations plus one confirming read per wait.
 * - The Heroku CLI polls every 5 s: the same mutations, plus one read per 5 s while Heroku works.
 * - The bot's share of the cutover downtime: the writes-stopped window minus the time Heroku's
 *   operations took in it (its waits, up to their conditions).
 */

export const CLI_POLL_MS = 5_000;

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

export interface Poll {
  /** Real ms (Date.now()) when the probe answered. */
  at: number;
  done: boolean;
}

export interface RunRecord {
  view: RunView;
  /** Polls of each wait step, by step index. */
  polls: Map<number, Poll[]>;
}

export interface WaitMeasure {
  /** How long after its condition held the wait noticed it. */
  lateMs: number;
  exact: boolean;
  /** How long Heroku took: from the wait's start until its condition held. */
  herokuMs: number;
  start: number;
  noticedAt: number;
}

export interface RunMeasure {
  ok: boolean;
  requests: number;
  minimum: number;
  cli: number;
  waits: WaitMeasure[];
  /** The writes-stopped window; `processingMs` is the real time the bot spent in it outside its waits. */
  downtime?: { ms: number; herokuMs: number; processingMs: number };
}

export type ToSim = (realMs: number) => number;

export function simulatedTime(clock: SimClockReading): ToSim {
  return (realMs) => clock.simNow + (realMs - clock.realNow) * clock.timeScale;
}

function lastChange(changes: number[], after: number, upTo: number): number | undefined {
  let found: number | undefined;
  for (const at of changes) {
    if (at > upTo) break;
    if (at > after) found = at;
  }
  return found;
}

function measureWait(start: number, polls: Poll[], changes: number[], toSim: ToSim): WaitMeasure | undefined {
  const seen = polls.map((p) => ({ at: toSim(p.at), done: p.done }));
  const first = seen.findIndex((p) => p.done);
  const noticed = seen[first];
  if (!noticed) return undefined;
  const before = first > 0 ? seen[first - 1]!.at : start;
  const changed = lastChange(changes, before, noticed.at);
  const heldAt = changed ?? (first === 0 ? start : undefined);
  const from = heldAt ?? before;
  return { lateMs: noticed.at - from, exact: heldAt !== undefined, herokuMs: Math.max(0, from - start), start, noticedAt: noticed.at };
}

export function measureRun(run: RunRecord, app: AppReport, toSim: ToSim, timeScale: number): RunMeasure {
  const waits = run.view.steps
    .filter((s) => s.kind === 'wait' && s.status === 'done' && s.startedAt)
    .flatMap((s) => measureWait(toSim(Date.parse(s.startedAt!)), run.polls.get(s.idx) ?? [], app.changes, toSim) ?? []);
  const cliPolls = waits.reduce((sum, w) => sum + Math.floor(w.herokuMs / CLI_POLL_MS) + 1, 0);
  const measure: RunMeasure = {
    ok: run.view.status === 'succeeded',
    requests: app.requests,
    minimum: app.mutations + waits.length,
    cli: app.mutations + cliPolls,
    waits,
  };
  const window = run.view.downtime;
  if (window?.endedAt) {
    const [from, to] = [toSim(Date.parse(window.startedAt)), toSim(Date.parse(window.endedAt))];
    const inside = waits.filter((w) => w.start >= from && w.noticedAt <= to);
    const herokuMs = sum(inside.map((w) => w.herokuMs));
    const waitingMs = sum(inside.map((w) => w.noticedAt - w.start));
    measure.downtime = { ms: to - from, herokuMs, processingMs: (to - from - waitingMs) / timeScale };
  }
  return measure;
}

// ---------------------------------------------------------------------------------------------
// The table

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1);

/** `42 s`, `3 m 05 s`, `1 h 02 m` */
export function duration(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} m ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} m`;
}

export interface Row {
  runbook: string;
  cells: string[];
}

export const HEADER = ['runbook', 'runs ok', 'req/run', '× min', '× CLI 5 s', 'waits', 'late p50', 'late p90', 'late max', 'exact', 'downtime', 'Heroku ops', 'bot share', 'processing'];

export function row(runbook: string, measures: RunMeasure[]): string[] {
  const ok = measures.filter((m) => m.ok);
  const late = ok.flatMap((m) => m.waits.map((w) => w.lateMs)).sort((a, b) => a - b);
  const waits = ok.flatMap((m) => m.waits);
  const down = ok.flatMap((m) => (m.downtime ? [m.downtime] : []));
  const downtime = mean(down.map((d) => d.ms));
  const heroku = mean(down.map((d) => d.herokuMs));
  return [
    runbook,
    `${ok.length}/${measures.length}`,
    mean(ok.map((m) => m.requests)).toFixed(1),
    (sum(ok.map((m) => m.requests)) / sum(ok.map((m) => m.minimum))).toFixed(2),
    (sum(ok.map((m) => m.requests)) / sum(ok.map((m) => m.cli))).toFixed(2),
    (waits.length / Math.max(ok.length, 1)).toFixed(1),
    duration(percentile(late, 50)),
    duration(percentile(late, 90)),
    duration(late.at(-1) ?? NaN),
    waits.length ? `${Math.round((100 * waits.filter((w) => w.exact).length) / waits.length)}%` : '-',
    down.length ? duration(downtime) : '-',
    down.length ? duration(heroku) : '-',
    down.length ? `${duration(downtime - heroku)} (${Math.round((100 * (downtime - heroku)) / Math.max(downtime, 1))}%)` : '-',
    down.length ? `${Math.round(mean(down.map((d) => d.processingMs)))} ms` : '-',
  ];
}

export function table(rows: string[][]): string {
  const all = [HEADER, ...rows];
  const widths = HEADER.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(HEADER), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
