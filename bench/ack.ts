/**
 * How fast the bot acknowledges: 2000 signed `/connect status acme-prod` requests, 100 at a time,
 * to connect-ops' bot (whose status port answers after a Heroku-like delay, after the ack) and,
 * in the same run, to a bare Bolt app whose command only acks. Each server runs in a process of
 * its own, and the Slack stand-in the bot answers through in a third. Prints p50 and p99 ack
 * latency for both and their ratio.
 *
 *   npx tsx bench/ack.ts [--requests 2000] [--concurrency 100] [--heroku-ms 300] [--bot-concurrency 16]
 *
 * The machine's other load moves the absolute numbers from run to run; compare the ratio.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SlackDriver } from '../src/sandbox/slack/index.js';
import { ACK_BENCH } from './support/ack-settings.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '100' },
    'heroku-ms': { type: 'string', default: '300' },
    /** The bot's `concurrency`: requests it works on at once after their ack. */
    'bot-concurrency': { type: 'string', default: '16' },
  },
});
const REQUESTS = Number(values.requests);
const CONCURRENCY = Number(values.concurrency);
const WARMUP = 200;

const children: ChildProcess[] = [];
async function serve(...args: string[]): Promise<string> {
  const child = fork(fileURLToPath(new URL('./support/ack-server.ts', import.meta.url)), args, { execArgv: ['--import', 'tsx'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('message', (m: { url: string }) => resolve(m.url));
    child.once('exit', (code) => reject(new Error(`ack-server ${args[0]} exited with ${code}`)));
  });
}

/** Ack latencies in ms, `total` requests with `concurrency` in flight. */
async function load(driver: SlackDriver, total: number, concurrency: number): Promise<number[]> {
  const latencies: number[] = [];
  let sent = 0;
  let refused = 0;
  const worker = async () => {
    while (sent < total) {
      sent += 1;
      const delivery = await driver.command({ user: ACK_BENCH.user, channel: ACK_BENCH.channel, text: 'status acme-prod' });
      if (delivery.status !== 200) refused += 1;
      latencies.push(delivery.ms);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (refused > 0) throw new Error(`${refused} of ${total} requests were not acknowledged with 200`);
  return latencies.sort((a, b) => a - b);
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

try {
  const slackUrl = await serve('slack');
  const [botUrl, bareUrl] = await Promise.all([serve('bot', slackUrl, values['heroku-ms'], values['bot-concurrency']), serve('bare')]);
  // The bare app first: the bot goes on answering (through the stand-in) after its last ack.
  const contenders = [
    { name: 'bare Bolt app', driver: new SlackDriver({ eventsUrl: bareUrl, signingSecret: ACK_BENCH.signingSecret, standInUrl: slackUrl }) },
    { name: 'connect-ops bot', driver: new SlackDriver({ eventsUrl: botUrl, signingSecret: ACK_BENCH.signingSecret, standInUrl: slackUrl }) },
  ];
  const results = [];
  for (const c of contenders) {
    await load(c.driver, WARMUP, CONCURRENCY);
    const latencies = await load(c.driver, REQUESTS, CONCURRENCY);
    results.push({ name: c.name, p50: percentile(latencies, 50), p99: percentile(latencies, 99) });
  }
  console.log(`${REQUESTS} signed /connect status requests, ${CONCURRENCY} concurrent (status port: ${values['heroku-ms']} ms after the ack)`);
  for (const r of results) console.log(`  ${r.name.padEnd(16)} p50 ${r.p50.toFixed(1).padStart(7)} ms   p99 ${r.p99.toFixed(1).padStart(7)} ms`);
  const [bare, bot] = results as [(typeof results)[number], (typeof results)[number]];
  console.log(`  ratio bot/bare   p50 ${(bot.p50 / bare.p50).toFixed(2).padStart(7)}      p99 ${(bot.p99 / bare.p99).toFixed(2).padStart(7)}`);
} finally {
  for (const child of children) child.kill();
}
