import type { PlannedRun } from './scenarios.js';

/**
 * The messages between a benchmark and bench/support/loaded-bot.mjs (connect-ops' bot, compiled,
 * keeping many runs going in a process of its own):
 *
 *   parent -> setup      child -> ready { eventsUrl, idle }      (idle: memory once started, after a GC)
 *   parent -> go         child -> running (once `concurrency` runs have started)
 *                        child -> block { … } every `blockSize` finished runs, then done
 *   parent -> report     child -> report { … }
 *   parent -> exit       the child exits (writing its CPU profile when started with --cpu-prof)
 */

export interface LoadedBotSetup {
  type: 'setup';
  sim: { url: string; token: string };
  slackUrl: string;
  /** What Slack and the bot agree on (bench/support/ack-settings.ts). */
  slack: { signingSecret: string; botToken: string; channel: string; user: string };
  timeScale: number;
  runs: PlannedRun[];
  concurrency: number;
  /** Finished runs per memory block (the soak's 500). */
  blockSize: number;
  /** The app `/connect status` asks about; in the policy with the bench's channel. */
  statusApp: string;
}

export interface Memory {
  rssMb: number;
  heapMb: number;
}

export interface Block {
  /** Runs finished when the block closed. */
  finished: number;
  /** Runs in flight when the block closed. */
  inFlight: number;
  peak: Memory;
  /** Mean of the samples taken during the block (every 100 ms). */
  mean: Memory;
  /** After a full GC at the block's end: what the process holds on to. */
  retained: Memory;
}

export interface LoadedBotReport {
  type: 'report';
  started: number;
  finished: number;
  failed: string[];
  /** Since `go`. */
  peak: Memory;
  /** The event loop's delay since the previous report (or `go`). */
  loopDelayMs: { p50: number; p99: number; max: number };
}

export type FromLoadedBot =
  | { type: 'ready'; eventsUrl: string; idle: Memory }
  | { type: 'running' }
  | { type: 'block'; block: Block }
  | { type: 'done' }
  | LoadedBotReport;

export type ToLoadedBot = LoadedBotSetup | { type: 'go' } | { type: 'report' } | { type: 'exit' };
