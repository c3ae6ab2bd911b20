import { fileURLToPath } from 'node:url';

/**
 * Node's arguments for `connect-ops` from the sources (`npm run dev`), so that a test always runs
 * the code it tests, never a dist/ built before the last edit: `spawn(process.execPath, [...CLI, 'start'])`.
 * test/build.test.ts runs the compiled command (bin/connect-ops.js) itself.
 */
export const CLI: readonly string[] = ['--import', 'tsx', fileURLToPath(new URL('../../src/cli.ts', import.meta.url))];
