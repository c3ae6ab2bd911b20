import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CLI } from '../../support/cli.js';

/**
 * The bot as `npm start` runs it: `connect-ops start` in a process of its own, configured only by
 * the environment it is given (nothing inherited: CI's DATABASE_URL and REDIS_URL must not leak
 * in), with its policy in a file. Its JSON log lines are kept for the test to read.
 */

export interface BotProcess {
  child: ChildProcess;
  eventsUrl: string;
  baseUrl: string;
  /** Every log line so far, parsed. */
  logs: Array<Record<string, unknown>>;
  /** The process's exit, once it has exited. */
  exited(): { code: number | null; signal: string | null } | undefined;
  /** Settles when the process exits. */
  exit: Promise<{ code: number | null; signal: string | null }>;
  /** Resolves with the first log line (so far or to come) whose `msg` is `msg`. */
  logged(msg: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** SIGTERM, then waits for the exit; removes the data folder (unless it was given). */
  stop(): Promise<void>;
}

export interface BotProcessOptions {
  env: Record<string, string>;
  policy: string;
  startTimeoutMs?: number;
  /**
   * A folder to keep the policy and the embedded store in, shared by processes started one after
   * another (a restart, a preboot); kept on stop. A folder of its own, removed on stop, by default.
   */
  dir?: string;
  /** Resolve once `$PORT` is bound (`listening`), or once the engine runs (`running`, the default). */
  until?: 'listening' | 'running';
}


export async function startBotProcess(options: BotProcessOptions): Promise<BotProcess> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'connect-ops-process-'));
  const policyPath = join(dir, 'connect-ops.yml');
  writeFileSync(policyPath, options.policy);
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    PORT: '0',
    LOG_LEVEL: 'info',
    CONNECT_OPS_DATA_DIR: join(dir, 'data'),
    CONNECT_OPS_POLICY: policyPath,
    ...options.env,
  };
  const child = spawn(process.execPath, [...CLI, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: Array<Record<string, unknown>> = [];
  let stderr = '';
  let exit: { code: number | null; signal: string | null } | undefined;
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exitedPromise = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    }),
  );
  const waiters: Array<{ msg: string; found: (entry: Record<string, unknown>) => void }> = [];
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the bot did not start within ${options.startTimeoutMs ?? 60_000} ms:\n${stderr}`)), options.startTimeoutMs ?? 60_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (process.env.BOT_LOGS) process.stderr.write(`[bot ${child.pid}] ${line}\n`);
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        for (const waiter of waiters.filter((w) => w.msg === entry.msg)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.found(entry);
        }
        // In Socket Mode the log names no port of Bolt's HTTP receiver: /healthz is on $PORT as given.
        const port = typeof entry.port === 'number' ? entry.port : Number(env.PORT);
        if (entry.msg === (options.until === 'listening' ? 'Slack bot listening' : 'connect-ops is running') && port > 0) {
          clearTimeout(timer);
          resolve(port);
        }
      } catch {
        logs.push({ raw: line });
      }
    });
    void exitedPromise.then(() => {
      clearTimeout(timer);
      reject(new Error(`the bot exited before it started (${JSON.stringify(exit)}):\n${stderr}`));
    });
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    child,
    eventsUrl: `${baseUrl}/slack/events`,
    baseUrl,
    logs,
    exited: () => exit,
    exit: exitedPromise,
    logged(msg, timeoutMs = 60_000) {
      const seen = logs.find((entry) => entry.msg === msg);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "${msg}" in the bot's log within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ msg, found: (entry) => (clearTimeout(timer), resolve(entry)) });
      });
    },
    async stop() {
      if (!exit) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exitedPromise;
        clearTimeout(killer);
      }
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
