/**
 * How fast the bot acknowledges: 2000 signed `/connect status acme-prod` requests, 100 at a time,
 * to connect-ops' bot and, in the same run, to a bare Bolt app whose command only acks. Each server
 * runs in a process of its own, the Slack stand-in the bot answers through in another, and the load
 * comes from this one. Prints p50 and p99 ack latency for both and their ratio (target: the bot's
 * p99 ≤ 1.2× the bare app's).
 *
 * Loaded (the default, `--runs 200`): the bot keeps 200 runs going on the simulated Heroku (in a
 * process of its own, bench/support/engine-sim.ts) in its own process (bench/support/loaded-bot.ts),
 * and its `status` reads that Heroku; both apps are measured while those runs go on. `--runs 0`: the
 * bot alone, its status port answering after `--heroku-ms` (bench/support/ack-server.ts).
 *
 *   npx tsx bench/ack.ts [--runs 200] [--time-scale 600] [--requests 2000] [--concurrency 100]
 *                        [--heroku-ms 300] [--bot-concurrency 16] [--cpu-prof DIR] [--node-options '…']
 *   (--cpu-prof: the loaded bot writes a V8 CPU profile into DIR when it exits; --node-options: the
 *   loaded bot's node flags, by default the Procfile's web process's)
 *
 * The machine's other load moves the absolute numbers from run to run; compare the ratio.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { SlackDriver } from '../src/sandbox/slack/index.js';
import { ACK_BENCH } from './support/ack-settings.js';
import { botNodeFlags, forkChild, killAll, startLoadedBot, startSim } from './support/loaded-bot-process.js';
import { plannedRuns } from './support/scenarios.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '100' },
    runs: { type: 'string', default: '200' },
    'time-scale': { type: 'string', default: '600' },
    /** The bot's `node` flags; the Procfile's by default. */
    'node-options': { type: 'string' },
    'heroku-ms': { type: 'string', default: '300' },
    /** Unloaded: the bot's `concurrency`, requests it works on at once after their ack. */
    'bot-concurrency': { type: 'string', default: '16' },
    'cpu-prof': { type: 'string' },
  },
});
const REQUESTS = Number(values.requests);
const CONCURRENCY = Number(values.concurrency);
const RUNS = Number(values.runs);
const TIME_SCALE = Number(values['time-scale']);
const WARMUP = 200;
const STATUS_APP = 'acme-prod';
if (!(REQUESTS >= 1) || !(CONCURRENCY >= 1) || !(RUNS >= 0) || !(TIME_SCALE > 0)) {
  throw new Error('usage: bench/ack.ts [--runs 200] [--time-scale 600] [--requests 2000] [--concurrency 100]');
}

async function serve(...args: string[]): Promise<string> {
  const server = forkChild('./ack-server.ts', args);
  return new Promise((resolve, reject) => {
    server.once('message', (m: { url: string }) => resolve(m.url));
    server.once('exit', (code) => reject(new Error(`ack-server ${args[0]} exited with ${code}`)));
  });
}

/** Ack latencies in ms, `total` requests with `concurrency` in flight. */
async function load(name: string, driver: SlackDriver, total: number, concurrency: number): Promise<number[]> {
  const latencies: number[] = [];
  let sent = 0;
  let refused = 0;
  let failed = 0;
  const worker = async () => {
    while (sent < total) {
      sent += 1;
      try {
        const delivery = await driver.command({ user: ACK_BENCH.user, channel: ACK_BENCH.channel, text: `status ${STATUS_APP}` });
        if (delivery.status !== 200) refused += 1;
        latencies.push(delivery.ms);
      } catch (error) {
        // A keep-alive connection the server closed as it was reused (ECONNRESET): counted, not timed.
        failed += 1;
        if (failed === 1) console.error(`  ${name}: ${String(error)} (${String((error as Error).cause)})`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (refused > 0 || failed > total / 100) throw new Error(`${name}: ${refused} of ${total} requests were not acknowledged with 200, ${failed} failed`);
  if (failed > 0) console.error(`  ${name}: ${failed} of ${total} requests failed before an answer`);
  return latencies.sort((a, b) => a - b);
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

/** The loaded bot: the simulated Heroku with its apps, then the bot with `RUNS` runs going on it. */
async function loadedBot(slackUrl: string) {
  // Enough runs that `RUNS` stay in flight while both apps are measured: each finished run makes room for the next.
  const runs = plannedRuns(RUNS * 5, 'ack');
  const sim = await startSim(TIME_SCALE, [{ name: STATUS_APP, kind: 'connect' }, ...runs.map(({ app, kind }) => ({ name: app, kind }))]);
  const bot = await startLoadedBot(
    { sim, slackUrl, slack: ACK_BENCH, timeScale: TIME_SCALE, runs, concurrency: RUNS, blockSize: runs.length, statusApp: STATUS_APP },
    { cpuProfDir: values['cpu-prof'], nodeOptions: botNodeFlags(values['node-options']) },
  );
  await bot.go();
  return bot;
}

try {
  const slackUrl = await serve('slack');
  const bareUrl = await serve('bare');
  const loaded = RUNS > 0 ? await loadedBot(slackUrl) : undefined;
  const botUrl = loaded?.eventsUrl ?? (await serve('bot', slackUrl, values['heroku-ms'], values['bot-concurrency']));
  const contenders = [
    { name: 'bare Bolt app', driver: new SlackDriver({ eventsUrl: bareUrl, signingSecret: ACK_BENCH.signingSecret, standInUrl: slackUrl }) },
    { name: 'connect-ops bot', driver: new SlackDriver({ eventsUrl: botUrl, signingSecret: ACK_BENCH.signingSecret, standInUrl: slackUrl }) },
  ];
  const before = await loaded?.report();
  // Each in turn, a round at a time, so that both see the same machine (and the same phase of the bot's runs).
  const rounds = Math.max(1, Math.round(REQUESTS / (2 * CONCURRENCY)));
  const latencies: number[][] = contenders.map(() => []);
  for (const c of contenders) await load(c.name, c.driver, WARMUP, CONCURRENCY);
  for (let r = 0; r < rounds; r++) {
    for (const [i, c] of contenders.entries()) {
      const total = Math.floor(REQUESTS / rounds) + (r < REQUESTS % rounds ? 1 : 0);
      latencies[i]!.push(...(await load(c.name, c.driver, total, CONCURRENCY)));
    }
  }
  const results = contenders.map((c, i) => {
    const sorted = latencies[i]!.sort((a, b) => a - b);
    return { name: c.name, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
  });
  const after = await loaded?.report();
  const [bare, bot] = results as [(typeof results)[number], (typeof results)[number]];
  console.log(
    loaded
      ? `${REQUESTS} signed /connect status requests, ${CONCURRENCY} concurrent, while the bot (node ${botNodeFlags(values['node-options']).join(' ') || 'with no flags'}) keeps ${RUNS} runs going on the simulated Heroku (time scale ${TIME_SCALE})`
      : `${REQUESTS} signed /connect status requests, ${CONCURRENCY} concurrent (status port: ${values['heroku-ms']} ms after the ack)`,
  );
  for (const r of results) console.log(`  ${r.name.padEnd(16)} p50 ${r.p50.toFixed(1).padStart(7)} ms   p99 ${r.p99.toFixed(1).padStart(7)} ms`);
  console.log(`  ratio bot/bare   p50 ${(bot.p50 / bare.p50).toFixed(2).padStart(7)}      p99 ${(bot.p99 / bare.p99).toFixed(2).padStart(7)}   (target p99 ≤ 1.2×: ${bot.p99 / bare.p99 <= 1.2 ? 'met' : 'not met'})`);
  if (loaded && before && after) {
    const inFlight = after.started - after.finished;
    console.log(
      [
        `  the bot's runs: ${after.finished - before.finished} finished during the measurement, ${inFlight} in flight at its end${inFlight < RUNS ? ` (fewer than ${RUNS}: the plan ran out; lower --time-scale)` : ''}; ${after.failed.length} failed`,
        `  the bot's event loop delay during the measurement: p50 ${after.loopDelayMs.p50.toFixed(0)} ms, p99 ${after.loopDelayMs.p99.toFixed(0)} ms, max ${after.loopDelayMs.max.toFixed(0)} ms`,
        `  the bot's memory: idle (started, no run) RSS ${loaded.idle.rssMb.toFixed(0)} MB, heap ${loaded.idle.heapMb.toFixed(0)} MB; peak with the runs RSS ${after.peak.rssMb.toFixed(0)} MB (${(after.peak.rssMb / loaded.idle.rssMb).toFixed(2)}× idle), heap ${after.peak.heapMb.toFixed(0)} MB`,
        `  machine load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`,
        ...after.failed.slice(0, 5).map((f) => `  FAILED ${f}`),
      ].join('\n'),
    );
    await loaded.exit();
    if (values['cpu-prof']) console.log(`  the bot's CPU profile is in ${values['cpu-prof']}`);
  }
} finally {
  killAll();
}
