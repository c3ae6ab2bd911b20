/**
 * The bot's memory over many runs: 2,000 runs, 200 at a time (each finished run makes room for the
 * next), by connect-ops' bot compiled and in a process of its own (bench/support/loaded-bot.mjs),
 * on the simulated Heroku in another, with its run messages going to a Slack stand-in in a third.
 * Prints, per block of 500 finished runs, the bot's peak and mean RSS and heap and what it retains
 * after a full GC, against the same process idle (composed and started, no run) measured in the
 * same run. Targets: peak RSS ≤ 150 MB with 200 runs in flight; the last block retains at most
 * 10 % more than the first (memory flat).
 *
 *   npx tsx bench/soak.ts [--runs 2000] [--concurrency 200] [--block 500] [--time-scale 600] [--node-options '…']
 *   (--node-options: the bot's node flags, by default the Procfile's web process's)
 *
 * Blocks are counted while `concurrency` runs are in flight (the plan holds that many more runs,
 * left unfinished), so the last block is not lighter for the runs draining at the end.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { ACK_BENCH } from './support/ack-settings.js';
import type { Block } from './support/loaded-bot-protocol.js';
import { botNodeFlags, forkChild, killAll, startLoadedBot, startSim } from './support/loaded-bot-process.js';
import { plannedRuns } from './support/scenarios.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '200' },
    block: { type: 'string', default: '500' },
    'time-scale': { type: 'string', default: '600' },
    /** The bot's `node` flags; the Procfile's by default. */
    'node-options': { type: 'string' },
  },
});
const RUNS = Number(values.runs);
const CONCURRENCY = Number(values.concurrency);
const BLOCK = Math.min(Number(values.block), RUNS);
const TIME_SCALE = Number(values['time-scale']);
if (!(RUNS >= 1) || !(CONCURRENCY >= 1) || !(BLOCK >= 1) || !(TIME_SCALE > 0)) {
  throw new Error('usage: bench/soak.ts [--runs 2000] [--concurrency 200] [--block 500] [--time-scale 600]');
}
const PEAK_RSS_TARGET_MB = 150;
const GROWTH_TARGET = 1.1;

const fmt = (mb: number) => `${mb.toFixed(0).padStart(4)} MB`;

try {
  const slack = forkChild('./ack-server.ts', ['slack']);
  const slackUrl = await new Promise<string>((resolve) => slack.once('message', (m: { url: string }) => resolve(m.url)));
  const runs = plannedRuns(RUNS + CONCURRENCY, 'soak');
  const sim = await startSim(TIME_SCALE, runs.map(({ app, kind }) => ({ name: app, kind })));
  const bot = await startLoadedBot({ sim, slackUrl, slack: ACK_BENCH, timeScale: TIME_SCALE, runs, concurrency: CONCURRENCY, blockSize: BLOCK, statusApp: 'acme-prod' }, { nodeOptions: botNodeFlags(values['node-options']) });
  console.log(`${RUNS} runs, ${CONCURRENCY} at a time, on the simulated Heroku (time scale ${TIME_SCALE}); the bot (node ${botNodeFlags(values['node-options']).join(' ') || 'with no flags'}) idle: RSS ${fmt(bot.idle.rssMb)}, heap ${fmt(bot.idle.heapMb)}`);
  console.log('finished  in flight   peak RSS   peak heap   mean RSS   mean heap   retained RSS   retained heap   (retained: after a full GC)');
  const started = Date.now();
  const blocks: Block[] = [];
  await new Promise<void>((resolve) => {
    bot.blocks((block) => {
      if (blocks.length * BLOCK >= RUNS) return;
      blocks.push(block);
      const { peak, mean, retained } = block;
      console.log(
        `${String(block.finished).padStart(8)}  ${String(block.inFlight).padStart(9)}   ${fmt(peak.rssMb)}   ${fmt(peak.heapMb)}    ${fmt(mean.rssMb)}   ${fmt(mean.heapMb)}      ${fmt(retained.rssMb)}        ${fmt(retained.heapMb)}`,
      );
      if (blocks.length * BLOCK >= RUNS) resolve();
    });
    void bot.go();
  });
  const report = await bot.report();
  await bot.exit();

  const first = blocks[0]!;
  const last = blocks.at(-1)!;
  const peakRss = Math.max(...blocks.map((b) => b.peak.rssMb));
  const peakHeap = Math.max(...blocks.map((b) => b.peak.heapMb));
  const growth = { heap: last.retained.heapMb / first.retained.heapMb, rss: last.retained.rssMb / first.retained.rssMb, meanHeap: last.mean.heapMb / first.mean.heapMb };
  const mark = (ok: boolean) => (ok ? 'met' : 'not met');
  console.log(
    [
      `wall time ${((Date.now() - started) / 1000).toFixed(0)} s; machine load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}; ${report.failed.length} runs failed`,
      `peak with ${CONCURRENCY} runs in flight: RSS ${fmt(peakRss)} (${(peakRss / bot.idle.rssMb).toFixed(2)}× idle; target ≤ ${PEAK_RSS_TARGET_MB} MB: ${mark(peakRss <= PEAK_RSS_TARGET_MB)}), heap ${fmt(peakHeap)} (${(peakHeap / bot.idle.heapMb).toFixed(2)}× idle)`,
      `growth from the first ${BLOCK} runs to the last: retained heap ${growth.heap.toFixed(2)}×, retained RSS ${growth.rss.toFixed(2)}×, mean heap ${growth.meanHeap.toFixed(2)}× (target ≤ ${GROWTH_TARGET}× retained: ${mark(growth.heap <= GROWTH_TARGET && growth.rss <= GROWTH_TARGET)})`,
      ...report.failed.slice(0, 5).map((f) => `FAILED ${f}`),
    ].join('\n'),
  );
} finally {
  killAll();
}
