import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SUBCOMMANDS } from '../src/cli/subcommands.js';

/**
 * The compiled command, as `npm start`, the Procfile and `npx connect-ops` run it: `npm run build`
 * emits dist/, bin/connect-ops.js runs it, and each subcommand loads only what it uses (every module
 * a process resolves is recorded by a loader hook). The sandbox's page is served from the build.
 */
const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin/connect-ops.js');

let hooks: string;
let sandbox: ChildProcess | undefined;
const sandboxEnv: Record<string, string> = {};
let pageUrl = '';

/** Runs the compiled command with a hook that records every module it resolves. */
async function connectOps(args: string[], env: Record<string, string> = {}): Promise<{ stdout: string; modules: string[] }> {
  const trace = join(hooks, `trace-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(trace, '');
  const { stdout } = await run(process.execPath, ['--import', join(hooks, 'register.mjs'), bin, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', TRACE_FILE: trace, CONNECT_OPS_POLICY: '/nonexistent/connect-ops.yml', ...env },
  });
  return { stdout, modules: [...new Set(readFileSync(trace, 'utf8').split('\n').filter(Boolean))] };
}

/** What must never load for a command that only reads: Slack, the simulator, the bot's composition root. */
const HEAVY = [/\/node_modules\/@slack\//, /\/dist\/sandbox\//, /\/dist\/main\.js$/, /\/dist\/bot\/app\.js$/];

beforeAll(async () => {
  const require = createRequire(import.meta.url);
  await run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root });
  hooks = mkdtempSync(join(tmpdir(), 'connect-ops-build-'));
  writeFileSync(
    join(hooks, 'hooks.mjs'),
    "import { appendFileSync } from 'node:fs';\n" +
      'export async function resolve(specifier, context, next) {\n' +
      '  const result = await next(specifier, context);\n' +
      "  appendFileSync(process.env.TRACE_FILE, result.url + '\\n');\n" +
      '  return result;\n' +
      '}\n',
  );
  writeFileSync(join(hooks, 'register.mjs'), "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n");

  // `npm run sandbox`, compiled: the page and the simulated Heroku the status command reads.
  sandbox = spawn(process.execPath, [bin, 'sandbox', '--port', '0', '--heroku-port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  sandbox.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    sandbox!.once('exit', (code) => reject(new Error(`the sandbox exited (${code}): ${stderr}`)));
    createInterface({ input: sandbox!.stdout! }).on('line', (line) => {
      const env = /^\s+export (\w+)=(.*)$/.exec(line);
      if (env) sandboxEnv[env[1]!] = env[2]!;
      const page = /Slack page\s+(http\S+)/.exec(line);
      if (page) pageUrl = page[1]!;
      if (line.includes('Ctrl-C')) resolve();
    });
  });
}, 240_000);

afterAll(async () => {
  if (sandbox && sandbox.exitCode === null) {
    const exited = new Promise((resolve) => sandbox!.once('exit', resolve));
    sandbox.kill('SIGTERM');
    await exited;
  }
  rmSync(hooks, { recursive: true, force: true });
});

describe('the compiled connect-ops', () => {
  it('--help lists every subcommand, loading commander and the command table alone', async () => {
    const { stdout, modules } = await connectOps(['--help']);
    for (const subcommand of SUBCOMMANDS) expect(stdout).toContain(`${subcommand.term}  `);
    const ours = modules.filter((m) => !m.startsWith('node:') && !m.includes('/node_modules/commander/'));
    expect(ours.map((m) => fileURLToPath(m).slice(root.length))).toEqual(['bin/connect-ops.js', 'dist/cli.js', 'dist/cli/subcommands.js']);
  }, 60_000);

  it('plan prints the plan without loading Slack, the simulator, the store or an HTTP client', async () => {
    const { stdout, modules } = await connectOps(['plan', 'upgrade', '-a', 'acme-prod']);
    expect(stdout).toMatch(/^upgrade on acme-prod: /);
    expect(stdout).toContain('Plan hash: ');
    for (const heavy of [...HEAVY, /\/node_modules\/(got|kysely|pg|better-sqlite3|bottleneck)\//]) expect(modules.filter((m) => heavy.test(m))).toEqual([]);
  }, 60_000);

  it('status reads the simulated Heroku without loading Slack, the simulator or the store', async () => {
    const { stdout, modules } = await connectOps(['status', '-a', 'acme-prod'], sandboxEnv);
    // The seeded app writes, so its connection goes between IDLE and POLLING_DB_CHANGES.
    expect(stdout).toMatch(/^=== acme-prod\n\nHeroku Connect: herokuconnect-[\w-]+ \((IDLE|POLLING_DB_CHANGES)\)/);
    for (const heavy of [...HEAVY, /\/node_modules\/(kysely|pg|better-sqlite3)\//]) expect(modules.filter((m) => heavy.test(m))).toEqual([]);
  }, 60_000);

  it("serves the sandbox page's files, which stay in src/", async () => {
    const page = await fetch(pageUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<!doctype html>');
    expect((await fetch(new URL('/app.js', pageUrl))).status).toBe(200);
  });

  it('says how to build when dist/ is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'connect-ops-unbuilt-'));
    try {
      writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
      const { mkdirSync, copyFileSync } = await import('node:fs');
      mkdirSync(join(dir, 'bin'));
      copyFileSync(bin, join(dir, 'bin/connect-ops.js'));
      const failure = await run(process.execPath, [join(dir, 'bin/connect-ops.js'), '--help']).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failure?.code).toBe(1);
      expect(failure?.stderr).toContain('connect-ops is not built: run `npm run build`');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
