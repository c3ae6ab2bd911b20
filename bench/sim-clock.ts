/**
 * What advancing the simulated Heroku's clock costs as simulated history piles up: the seeded
 * world (Scheduler jobs every 10 minutes, each a one-off dyno the writers ledger notes) advanced a
 * day at a time, timed per 60 simulated days. The cost of the last 60 days against the second 60
 * (the first warms the JIT up) is the figure: near 1 when advancing is linear, growing with every
 * chunk when some bookkeeping is quadratic (test/status/versions/radar-on-sandbox.test.ts jumps months).
 *
 *   npm run bench:sim-clock [-- --chunks 6]
 */
import { World } from '../src/sandbox/heroku/world/world.js';

const args = process.argv.slice(2);
const CHUNKS = Math.max(3, Number(args[args.indexOf('--chunks') + 1] ?? 6) || 6);
const DAY = 86_400_000;

// timeScale 0: only advance() moves the clock, so every run simulates the same history.
const world = new World({ timeScale: 0 });
const chunks: number[] = [];
for (let chunk = 0; chunk < CHUNKS; chunk++) {
  const started = performance.now();
  for (let day = 0; day < 60; day++) world.advance(DAY);
  chunks.push(performance.now() - started);
}
const ms = chunks.map((c) => Math.round(c));
console.log(`ms per 60 simulated days: ${ms.join(' ')}`);
console.log(`writers ledger entries: ${world.writeLedger.entries().length}`);
console.log(`last 60 days / second 60 days: ${(chunks[chunks.length - 1]! / chunks[1]!).toFixed(2)}`);
