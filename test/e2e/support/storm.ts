/**
 * A load generator in a process of its own: `node --import tsx storm.ts` with one JSON argument
 * `{ eventsUrl, signingSecret, standInUrl, channel, users, text, total, concurrency }`. Sends
 * `total` signed `/connect <text>` commands, `concurrency` at a time, from `users` in turn; sends
 * `{ sent }` every 100 requests and `{ done, statuses, acks }` at the end (acks: ms, sorted).
 */
import { SlackDriver } from '../../../src/sandbox/slack/index.js';

interface StormPlan {
  eventsUrl: string;
  signingSecret: string;
  standInUrl: string;
  channel: string;
  users: string[];
  text: string;
  total: number;
  concurrency: number;
}

const plan = JSON.parse(process.argv[2] ?? '{}') as StormPlan;
const driver = new SlackDriver({ eventsUrl: plan.eventsUrl, signingSecret: plan.signingSecret, standInUrl: plan.standInUrl });
const statuses: Record<string, number> = {};
const acks: number[] = [];
let next = 0;

async function worker(): Promise<void> {
  while (next < plan.total) {
    const i = next++;
    const user = plan.users[i % plan.users.length] ?? 'U0STRANGER';
    const delivery = await driver.command({ user, channel: plan.channel, text: plan.text }).catch(() => ({ status: 0, ms: Infinity }));
    statuses[delivery.status] = (statuses[delivery.status] ?? 0) + 1;
    acks.push(delivery.ms);
    if (acks.length % 100 === 0) process.send?.({ sent: acks.length });
  }
}

await Promise.all(Array.from({ length: plan.concurrency }, worker));
process.send?.({ done: true, statuses, acks: acks.sort((a, b) => a - b) });
process.disconnect?.();
