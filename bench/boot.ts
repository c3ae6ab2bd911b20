/**
 * How soon `connect-ops start` (the compiled command, bin/connect-ops.js, as `npm start` and the
 * Procfile's web run it) answers `GET /healthz` on `$PORT`, against a bare Node HTTP server started
 * the same way, interleaved in rounds so every contender sees the same machine. Heroku needs the
 * port bound within 60 s (R10); the target is 2 s. Also timed: the same start while another process
 * holds the engine lease (this one: `/healthz` answers with `engine: starting`), and SIGTERM to exit.
 * Embedded store (one data folder, migrated by the warm-up run), simulated Heroku and Slack stand-in
 * in this process. Builds dist/ first.
 *
 *   npm run bench:boot [-- --rounds 10]
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulatedHeroku } from '../src/sandbox/heroku/index.js';
import { SlackWorkspace, startSlackStandIn } from '../src/sandbox/slack/index.js';
import { openStore } from '../src/store/index.js';
import { createLease } from '../src/store/lease.js';
import { BOT_TOKEN, POLICY, seedWorkspace, SIGNING_SECRET } from '../test/bot/support/harness.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = fileURLToPath(new URL('../bin/connect-ops.js', import.meta.url));
const args = process.argv.slice(2);
const ROUNDS = Number(args[args.indexOf('--rounds') + 1] ?? 10) || 10;

const require = createRequire(import.meta.url);
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });

const sim = await startSimulatedHeroku();
const workspace = new SlackWorkspace();
seedWorkspace(workspace);
const slack = await startSlackStandIn({ workspace, botToken: BOT_TOKEN });
const dir = mkdtempSync(join(tmpdir(), 'connect-ops-bench-boot-'));
const policy = join(dir, 'connect-ops.yml');
writeFileSync(policy, POLICY);
const dataDir = join(dir, 'data');
const env = {
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? dir,
  LOG_LEVEL: 'warn',
  SLACK_BOT_TOKEN: BOT_TOKEN,
  SLACK_SIGNING_SECRET: SIGNING_SECRET,
  SLACK_API_URL: slack.apiUrl,
  HEROKU_API_KEY: sim.token,
  HEROKU_API_URL: sim.url,
  HEROKU_DATA_API_URL: sim.url,
  HEROKU_CONNECT_DISCOVERY_URL: sim.url,
  HEROKU_STATUS_URL: sim.url,
  SALESFORCE_TRUST_URL: `${sim.url}/v1`,
  CONNECT_OPS_POLICY: policy,
  CONNECT_OPS_DATA_DIR: dataDir,
};

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

interface Timing {
  healthMs: number;
  exitMs: number;
  engine?: string;
}

/** Spawns `argv` with PORT set, polls /healthz until it answers 200, then SIGTERM and waits for the exit. */
async function once(argv: string[]): Promise<Timing> {
  const port = await freePort();
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, argv, { cwd: root, env: { ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let engine: string | undefined;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${argv.join(' ')} exited ${child.exitCode}: ${stderr}`);
    const answer = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
    if (answer?.status === 200) {
      const text = await answer.text();
      engine = text ? (JSON.parse(text) as { engine?: string }).engine : undefined;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const healthMs = Number(process.hrtime.bigint() - started) / 1e6;
  const signalled = process.hrtime.bigint();
  child.kill('SIGTERM');
  await exited;
  return { healthMs, exitMs: Number(process.hrtime.bigint() - signalled) / 1e6, engine };
}

interface Contender {
  name: string;
  argv: string[];
  /** Runs around each measurement (the engine lease held by this process). */
  around?: <T>(measure: () => Promise<T>) => Promise<T>;
  runs: Timing[];
}

const leaseHeld = async <T>(measure: () => Promise<T>): Promise<T> => {
  const holder = await openStore({ dataDir });
  const lease = createLease({ store: holder, name: 'engine', owner: 'bench:boot (the previous dyno)' });
  await lease.acquire(30_000);
  try {
    return await measure();
  } finally {
    await lease.release();
    await holder.close();
  }
};

const contenders: Contender[] = [
  { name: 'bare node http server', argv: ['-e', "require('http').createServer((q,s)=>s.end()).listen(process.env.PORT);process.on('SIGTERM',()=>process.exit(0))"], runs: [] },
  { name: 'connect-ops start', argv: [bin, 'start'], runs: [] },
  { name: 'connect-ops start, lease held elsewhere', argv: [bin, 'start'], around: leaseHeld, runs: [] },
];
const measure = (c: Contender) => (c.around ? c.around(() => once(c.argv)) : once(c.argv));

for (const c of contenders) await measure(c); // warm the file cache; the first start migrates the store
for (let round = 0; round < ROUNDS; round++) for (const c of contenders) c.runs.push(await measure(c));

await slack.close();
await sim.close();
rmSync(dir, { recursive: true, force: true });

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const baseline = median(contenders[0]!.runs.map((r) => r.healthMs));
console.log(`time to a 200 from /healthz, ${ROUNDS} rounds on Node ${process.version} (median ms; ratio to the bare server in the same run; target 2 s)`);
for (const c of contenders) {
  const health = c.runs.map((r) => r.healthMs);
  const exits = c.runs.map((r) => r.exitMs);
  const engines = [...new Set(c.runs.map((r) => r.engine ?? '-'))].join('/');
  console.log(
    `  ${c.name.padEnd(40)} ${median(health).toFixed(0).padStart(6)} ms  ${(median(health) / baseline).toFixed(2).padStart(6)}×  (min ${Math.min(...health).toFixed(0)}, max ${Math.max(...health).toFixed(0)}; engine: ${engines}; SIGTERM to exit median ${median(exits).toFixed(0)} ms)`,
  );
}
