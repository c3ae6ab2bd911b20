import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * Node's arguments for `connect-ops` from the sources (`npm run dev`), so that a test always runs
 * the code it tests, never a dist/ built before the last edit: `spawn(process.execPath, [...CLI, 'start'])`.
 * test/build.test.ts runs the compiled command (bin/connect-ops.js) itself.
 */
export const CLI: readonly string[] = ['--import', 'tsx', fileURLToPath(new URL('../../src/cli.ts', import.meta.url))];

/** Node's arguments for the compiled command, as `npm start` runs it (`node bin/connect-ops.js start`); see builtCli(). */
export const BUILT_CLI: readonly string[] = [fileURLToPath(new URL('../../bin/connect-ops.js', import.meta.url))];

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Makes sure dist/ is what the sources compile to before a test runs the built command: `npm ci`
 * builds it (prepare), so on CI it is current; in a dev tree edited since, it is built again here.
 */
export async function builtCli(): Promise<readonly string[]> {
  const newest = (dir: string): number =>
    Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(join(dir, e.name)) : e.name.endsWith('.ts') ? statSync(join(dir, e.name)).mtimeMs : 0)));
  let built = 0;
  try {
    built = statSync(join(root, 'dist/cli.js')).mtimeMs;
  } catch {
    built = 0;
  }
  if (built < newest(join(root, 'src'))) {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root });
  }
  return BUILT_CLI;
}
