#!/usr/bin/env node
// The package's command runs the compiled JavaScript in dist/: `npm ci` builds it (`prepare`), and
// Heroku's Node buildpack runs `npm run build`. `npm run dev -- …` runs the sources through tsx.
import { existsSync } from 'node:fs';
import module from 'node:module';

// Node 22.1+ keeps the compiled code of the modules it loads (zod, the runbooks) for the next start;
// Node 20 has no compile cache and skips this.
module.enableCompileCache?.();

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('connect-ops is not built: run `npm run build` (or `npm run dev -- <command>` to run the sources).\n');
  process.exit(1);
}
await import(cli.href);
