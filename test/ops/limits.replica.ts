/**
 * A second replica for test/ops/limits.test.ts, run in its own process: it joins the Redis budget,
 * tries `calls` calls, and once none has started for `quietMs` (or after `deadlineMs`) prints how
 * many ran.
 */
import { createLimits } from '../../src/ops/limits.js';

const { calls, quietMs, deadlineMs, ...options } = JSON.parse(process.argv[2] ?? '{}') as {
  redisUrl: string;
  id: string;
  capacity: number;
  refillPerMinute: number;
  calls: number;
  quietMs: number;
  deadlineMs: number;
};

const limits = createLimits(options);
const started = Date.now();
let ran = 0;
let lastRun = started;
for (let i = 0; i < calls; i++) {
  void limits.heroku.schedule({}, async () => {
    ran++;
    lastRun = Date.now();
  });
}
const watch = setInterval(() => {
  const now = Date.now();
  if ((ran > 0 && now - lastRun >= quietMs) || now - started >= deadlineMs) {
    clearInterval(watch);
    process.stdout.write(JSON.stringify({ ran }));
    // Calls still queued stay unrun: this replica leaves without waiting for them.
    void limits.disconnect().finally(() => process.exit(0));
  }
}, 20);
