import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AppKind } from './engine-apps.js';
import type { FromSim, ToSim } from './engine-sim.js';
import type { Block, FromLoadedBot, LoadedBotReport, LoadedBotSetup, Memory, ToLoadedBot } from './loaded-bot-protocol.js';

/**
 * The processes of the benchmarks that keep many runs going (bench/ack.ts, bench/soak.ts): the
 * simulated Heroku (./engine-sim.ts) and connect-ops' bot, compiled (./loaded-bot.mjs). Every
 * child is killed by `killAll`.
 */

const children: ChildProcess[] = [];

export function killAll(): void {
  for (const c of children) c.kill();
}

/** Forks `path` (relative to this folder): TypeScript through tsx, JavaScript as is. */
export function forkChild(path: string, args: string[] = [], execArgv: string[] = []): ChildProcess {
  const file = fileURLToPath(new URL(path, import.meta.url));
  const child = fork(file, args, { execArgv: file.endsWith('.ts') ? [...execArgv, '--import', 'tsx'] : execArgv });
  children.push(child);
  return child;
}

/** The next message of `type` from `child` (the child exiting first is an error). */
export function nextMessage<M extends { type: string }, T extends M['type']>(child: ChildProcess, type: T): Promise<Extract<M, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${child.spawnargs.join(' ')} exited with ${code} before sending ${type}`));
    const onMessage = (message: M) => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message as Extract<M, { type: T }>);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** The `node` flags the Procfile's web process starts the bot with (`web: node FLAGS bin/connect-ops.js start`). */
export function procfileNodeFlags(): string[] {
  const procfile = readFileSync(new URL('../../Procfile', import.meta.url), 'utf8');
  const web = /^web:\s*node\s+(.*?)\s*bin\/connect-ops\.js/m.exec(procfile);
  return web?.[1] ? web[1].split(/\s+/) : [];
}

/** `--node-options` as given (a space-separated list, '' for none), else the Procfile's. */
export function botNodeFlags(given: string | undefined): string[] {
  return given === undefined ? procfileNodeFlags() : given.split(/\s+/).filter(Boolean);
}

/** The simulated Heroku with these apps, in its own process. */
export async function startSim(timeScale: number, apps: Array<{ name: string; kind: AppKind }>): Promise<{ url: string; token: string }> {
  const sim = forkChild('./engine-sim.ts', [String(timeScale)]);
  sim.send({ type: 'apps', apps } satisfies ToSim);
  const ready = await nextMessage<FromSim, 'ready'>(sim, 'ready');
  return { url: ready.url, token: ready.token };
}

export interface LoadedBot {
  eventsUrl: string;
  /** Memory once composed and started, before any run, after a GC. */
  idle: Memory;
  /** Starts the runs; resolves once `concurrency` of them have started. */
  go(): Promise<void>;
  report(): Promise<LoadedBotReport>;
  /** Tells `onBlock` each block of finished runs as it closes. */
  blocks(onBlock: (block: Block) => void): void;
  /** Exits the bot (writing its CPU profile, if asked) and waits for it. */
  exit(): Promise<void>;
}

/**
 * Builds dist/ (incremental: quick when up to date), then starts the compiled bot with `setup`.
 * `cpuProfDir`: the bot writes a V8 CPU profile there when it exits. `nodeOptions`: the bot's
 * `node` flags (the Procfile's, to measure the bot as it runs on Heroku).
 */
export async function startLoadedBot(setup: Omit<LoadedBotSetup, 'type'>, options: { cpuProfDir?: string; nodeOptions?: string[] } = {}): Promise<LoadedBot> {
  execFileSync(fileURLToPath(new URL('../../node_modules/.bin/tsc', import.meta.url)), ['-p', 'tsconfig.build.json'], { cwd: fileURLToPath(new URL('../../', import.meta.url)), stdio: 'inherit' });
  const profile = options.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfDir] : [];
  const bot = forkChild('./loaded-bot.mjs', [], [...(options.nodeOptions ?? []), ...profile]);
  const tell = (message: ToLoadedBot) => bot.send(message);
  tell({ type: 'setup', ...setup });
  const { eventsUrl, idle } = await nextMessage<FromLoadedBot, 'ready'>(bot, 'ready');
  return {
    eventsUrl,
    idle,
    go: async () => {
      const running = nextMessage<FromLoadedBot, 'running'>(bot, 'running');
      tell({ type: 'go' });
      await running;
    },
    report: () => {
      const report = nextMessage<FromLoadedBot, 'report'>(bot, 'report');
      tell({ type: 'report' });
      return report;
    },
    blocks: (onBlock) => {
      bot.on('message', (message: FromLoadedBot) => void (message.type === 'block' && onBlock(message.block)));
    },
    exit: () =>
      new Promise<void>((resolve) => {
        bot.once('exit', () => resolve());
        tell({ type: 'exit' });
      }),
  };
}
