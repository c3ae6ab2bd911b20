import type { RunView } from '../../src/ops/engine/index.js';
import type { AppReport, SimClockReading } from './engine-sim.js';

/**
 * What bench/engine.ts measures, from each run's steps, the polls of its waits and the simulator's
 * account of the app (requests, and when something changed). Times are simulated milliseconds
 * unless named real.
 *
 * - A wait's condition became true at the last change on the app between the poll before the one
 *   that saw it and that poll (exact); without a change there (follower lag, say) only the bound is
 *   known: the gap between those two polls. A wait whose first poll saw it found it already true.
 * - The baseline, measured from the same waits in the same run: the Heroku CLI polling every 5 s
 *   (`pg:wait`, `pg:upgrade:wait`, `pg:copy`) from the command that started what the wait awaits
 *   (the app's last mutation before the wait, if it came after the previous wait; else the wait's
 *   start), each poll the same probe as the bot's (as many requests as the bot's probe sent per
 *   poll), noticing the condition at the first 5 s mark after it held.
 * - The bot's share of a cutover: the writes-stopped window minus the time Heroku's operations
 *   took in it (its waits, up to their conditions), in real seconds (simulated / time scale).
 */

export const CLI_POLL_MS = 5_000;
/** Target 4: a wait outside a cutover notices its condition within 5 % of its length, or 30 s. */
export const ON_TIME_SHARE = 0.05;
export const ON_TIME_FLOOR_MS = 30_000;

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

export interface Poll {
  /** Real ms (Date.now()) when the probe answered. */
  at: number;
  done: boolean;
  /** Heroku requests the probe sent. */
  requests: number;
}

export interface RunRecord {
  view: RunView;
  /** Polls of each wait step, by step index. */
  polls: Map<number, Poll[]>;
}

export interface WaitMeasure {
  title: string;
  /** How long after its condition held the wait noticed it. */
  lateMs: number;
  exact: boolean;
  /** How long Heroku took: from the wait's start until its condition held. */
  herokuMs: number;
  start: number;
  noticedAt: number;
  /** Inside the writes-stopped window. */
  cutover: boolean;
  polls: number;
  requests: number;
  /** The baseline: the same probe every 5 s. */
  cliPolls: number;
  cliRequests: number;
  cliLateMs: number;
}

export interface RunMeasure {
  ok: boolean;
  requests: number;
  waits: WaitMeasure[];
  /** The writes-stopped window; `processingMs` is the real time the bot spent in it outside its waits. */
  downtime?: { ms: number; herokuMs: number; lateMs: number; cliLateMs: number; processingMs: number };
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

function measureWait(start: number, cliStart: number, polls: Poll[], changes: number[], toSim: ToSim): Omit<WaitMeasure, 'cutover' | 'title'> | undefined {
  const seen = polls.map((p) => ({ at: toSim(p.at), done: p.done }));
  const first = seen.findIndex((p) => p.done);
  const noticed = seen[first];
  if (!noticed) return undefined;
  const before = first > 0 ? seen[first - 1]!.at : start;
  const changed = lastChange(changes, before, noticed.at);
  const heldAt = changed ?? (first === 0 ? start : undefined);
  const from = heldAt ?? before;
  const herokuMs = Math.max(0, from - start);
  const counted = polls.slice(0, first + 1);
  const requests = sum(counted.map((p) => p.requests));
  const cliMs = Math.max(0, from - Math.min(cliStart, start));
  const cliPolls = Math.ceil(cliMs / CLI_POLL_MS) + 1;
  return {
    lateMs: noticed.at - from,
    exact: heldAt !== undefined,
    herokuMs,
    start,
    noticedAt: noticed.at,
    polls: counted.length,
    requests,
    cliPolls,
    cliRequests: cliPolls * (requests / Math.max(counted.length, 1)),
    cliLateMs: Math.ceil(cliMs / CLI_POLL_MS) * CLI_POLL_MS - cliMs,
  };
}

export function measureRun(run: RunRecord, app: AppReport, toSim: ToSim, timeScale: number): RunMeasure {
  const window = run.view.downtime;
  const [from, to] = window ? [toSim(Date.parse(window.startedAt)), window.endedAt ? toSim(Date.parse(window.endedAt)) : Infinity] : [Infinity, Infinity];
  let previous = toSim(Date.parse(run.view.createdAt));
  const waits = run.view.steps
    .filter((s) => s.kind === 'wait' && s.status === 'done' && s.startedAt)
    .flatMap((s) => {
      const start = toSim(Date.parse(s.startedAt!));
      const command = app.mutatedAt.filter((at) => at > previous && at <= start).at(-1) ?? start;
      const measured = measureWait(start, command, run.polls.get(s.idx) ?? [], app.changes, toSim);
      if (!measured) return [];
      previous = measured.noticedAt;
      return [{ ...measured, title: s.title, cutover: measured.start >= from && measured.noticedAt <= to }];
    });
  const measure: RunMeasure = { ok: run.view.status === 'succeeded', requests: app.requests, waits };
  if (window?.endedAt) {
    const inside = waits.filter((w) => w.cutover);
    const herokuMs = sum(inside.map((w) => w.herokuMs));
    const waitingMs = sum(inside.map((w) => w.noticedAt - w.start));
    measure.downtime = {
      ms: to - from,
      herokuMs,
      lateMs: sum(inside.map((w) => w.lateMs)),
      cliLateMs: sum(inside.map((w) => w.cliLateMs)),
      processingMs: (to - from - waitingMs) / timeScale,
    };
  }
  return measure;
}

/** Whether a wait outside a cutover noticed its condition within 5 % of its length, or 30 s. */
export const onTime = (w: WaitMeasure): boolean => w.lateMs <= Math.max(ON_TIME_FLOOR_MS, ON_TIME_SHARE * w.herokuMs);

// ---------------------------------------------------------------------------------------------
// The table

export const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1);

/** `42 s`, `3 m 05 s`, `1 h 02 m` */
export function duration(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} m ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} m`;
}

const ratio = (a: number, b: number): string => (b > 0 ? (a / b).toFixed(2) : '-');

export const HEADER = [
  'runbook',
  'runs ok',
  'req/run',
  // Target 3: the cutover
  'downtime',
  'Heroku ops',
  'bot share real',
  'late: bot | CLI',
  'processing',
  'cutover req: bot | CLI',
  '×CLI',
  // Target 4: waits outside the cutover
  'outside: on time',
  'late p90',
  'req: bot | CLI',
  '×CLI ',
];

/** The figures of one runbook at one concurrency, for the table and the summary. */
export interface Figures {
  runbook: string;
  ok: number;
  runs: number;
  /** Mean bot share of the cutover, real seconds; undefined without a cutover. */
  shareRealS?: number;
  cutoverRatio?: number;
  onTimeShare?: number;
  outsideRatio?: number;
  cells: string[];
}

export function figures(runbook: string, measures: RunMeasure[], timeScale: number): Figures {
  const ok = measures.filter((m) => m.ok);
  const waits = ok.flatMap((m) => m.waits);
  const inside = waits.filter((w) => w.cutover);
  const outside = waits.filter((w) => !w.cutover);
  const down = ok.flatMap((m) => (m.downtime ? [m.downtime] : []));
  const downtime = mean(down.map((d) => d.ms));
  const heroku = mean(down.map((d) => d.herokuMs));
  const shareRealS = down.length ? (downtime - heroku) / timeScale / 1000 : undefined;
  const [cutBot, cutCli] = [sum(inside.map((w) => w.requests)), sum(inside.map((w) => w.cliRequests))];
  const [outBot, outCli] = [sum(outside.map((w) => w.requests)), sum(outside.map((w) => w.cliRequests))];
  const onTimeShare = outside.length ? outside.filter(onTime).length / outside.length : undefined;
  const lateOutside = outside.map((w) => w.lateMs).sort((a, b) => a - b);
  return {
    runbook,
    ok: ok.length,
    runs: measures.length,
    shareRealS,
    cutoverRatio: cutCli > 0 ? cutBot / cutCli : undefined,
    onTimeShare,
    outsideRatio: outCli > 0 ? outBot / outCli : undefined,
    cells: [
      runbook,
      `${ok.length}/${measures.length}`,
      mean(ok.map((m) => m.requests)).toFixed(1),
      down.length ? duration(downtime) : '-',
      down.length ? duration(heroku) : '-',
      shareRealS !== undefined ? `${shareRealS.toFixed(2)} s` : '-',
      down.length ? `${duration(mean(down.map((d) => d.lateMs)))} | ${duration(mean(down.map((d) => d.cliLateMs)))}` : '-',
      down.length ? `${Math.round(mean(down.map((d) => d.processingMs)))} ms` : '-',
      inside.length ? `${(cutBot / ok.length).toFixed(1)} | ${(cutCli / ok.length).toFixed(1)}` : '-',
      inside.length ? ratio(cutBot, cutCli) : '-',
      onTimeShare !== undefined ? `${Math.round(100 * onTimeShare)}% of ${outside.length}` : '-',
      outside.length ? duration(percentile(lateOutside, 90)) : '-',
      outside.length ? `${(outBot / ok.length).toFixed(1)} | ${(outCli / ok.length).toFixed(1)}` : '-',
      outside.length ? ratio(outBot, outCli) : '-',
    ],
  };
}

/** Per wait of a runbook (--detail): how often it polled and how late it was, beside the CLI. */
export function waitDetail(runbook: string, measures: RunMeasure[]): string[][] {
  const byTitle = new Map<string, WaitMeasure[]>();
  for (const w of measures.filter((m) => m.ok).flatMap((m) => m.waits)) byTitle.set(w.title, [...(byTitle.get(w.title) ?? []), w]);
  return [...byTitle].map(([title, ws]) => [
    `${runbook}: ${title.slice(0, 70)}`,
    ws[0]!.cutover ? 'cutover' : 'outside',
    String(ws.length),
    duration(mean(ws.map((w) => w.herokuMs))),
    duration(mean(ws.map((w) => w.lateMs))),
    duration(mean(ws.map((w) => w.cliLateMs))),
    `${mean(ws.map((w) => w.polls)).toFixed(1)} | ${mean(ws.map((w) => w.cliPolls)).toFixed(1)}`,
    `${mean(ws.map((w) => w.requests)).toFixed(1)} | ${mean(ws.map((w) => w.cliRequests)).toFixed(1)}`,
  ]);
}
export const DETAIL_HEADER = ['wait', 'where', 'n', 'Heroku took', 'late', 'CLI late', 'polls: bot | CLI', 'requests: bot | CLI'];

export function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
