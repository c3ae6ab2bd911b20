/**
 * How long `connect-ops` takes to answer, as people run it: the compiled command (bin/connect-ops.js,
 * dist/) for `--help`, `plan upgrade -a acme-prod` (no network) and `status -a acme-prod` against a
 * simulated Heroku (`connect-ops sandbox --no-bot`, in a process of its own), each a new process,
 * interleaved in rounds with `node -e 0` so every contender sees the same machine. Prints the
 * median and the ratio against `node -e 0`'s median of the same run. Builds dist/ first.
 *
 *   npm run bench:cli [-- --rounds 15] [-- --sources]   (--sources also times `tsx src/cli.ts --help`)
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = fileURLToPath(new URL('../bin/connect-ops.js', import.meta.url));
const args = process.argv.slice(2);
const ROUNDS = Number(args[args.indexOf('--rounds') + 1] ?? 10) || 10;
const SOURCES = args.includes('--sources');

const require = createRequire(import.meta.url);
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });

// The simulated Heroku, alone (--no-bot), in another process; its banner's env block points the CLI at it.
const sim = spawn(process.execPath, [bin, 'sandbox', '--no-bot', '--port', '0', '--heroku-port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const simEnv = await new Promise<Record<string, string>>((resolve, reject) => {
  const env: Record<string, string> = {};
  sim.once('exit', (code) => reject(new Error(`the simulated Heroku exited (${code})`)));
  createInterface({ input: sim.stdout }).on('line', (line) => {
    const match = /^\s+export (\w+)=(.*)$/.exec(line);
    if (match) env[match[1]!] = match[2]!;
    else if (line.includes('Ctrl-C')) resolve(env);
  });
});

// Nothing from this shell (a DATABASE_URL, a policy) changes what is measured.
const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? root, ...simEnv, CONNECT_OPS_POLICY: '/nonexistent/connect-ops.yml' };

interface Contender {
  name: string;
  argv: string[];
  ms: number[];
}
const contenders: Contender[] = [
  { name: 'node -e 0', argv: ['-e', '0'], ms: [] },
  { name: 'connect-ops --help', argv: [bin, '--help'], ms: [] },
  { name: 'connect-ops plan upgrade -a acme-prod', argv: [bin, 'plan', 'upgrade', '-a', 'acme-prod'], ms: [] },
  { name: 'connect-ops status -a acme-prod', argv: [bin, 'status', '-a', 'acme-prod'], ms: [] },
];
if (SOURCES) contenders.push({ name: 'tsx src/cli.ts --help (sources)', argv: ['--import', 'tsx', fileURLToPath(new URL('../src/cli.ts', import.meta.url)), '--help'], ms: [] });

const once = (c: Contender): number => {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, c.argv, { cwd: root, env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${c.name} exited ${result.status}: ${result.stderr}`);
  return ms;
};

for (const c of contenders) once(c); // warm the file cache
for (let round = 0; round < ROUNDS; round++) for (const c of contenders) c.ms.push(once(c));
sim.kill('SIGTERM');

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const baseline = median(contenders[0]!.ms);
console.log(`connect-ops start-up, ${ROUNDS} rounds on Node ${process.version} (median ms; ratio to node -e 0 in the same run; target --help ≤ 3×)`);
for (const c of contenders) {
  const m = median(c.ms);
  console.log(`  ${c.name.padEnd(40)} ${m.toFixed(0).padStart(6)} ms  ${(m / baseline).toFixed(2).padStart(6)}×  (min ${Math.min(...c.ms).toFixed(0)}, max ${Math.max(...c.ms).toFixed(0)})`);
}
