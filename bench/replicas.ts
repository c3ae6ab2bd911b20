/**
 * `npm run bench:replicas`: what replicas cost and buy, with one bot process and with three on one
 * Postgres (`connect-ops start`, as `heroku ps:scale web=1` and `web=3` run them), measured in the
 * same run and printed side by side, the three-process figures as a ratio of the one-process ones.
 *
 * - takeover: SIGKILL a process while it holds runs' wake-ups (their pg-boss jobs are active), as a
 *   dyno dies mid-pass; Heroku starts a fresh dyno at once. For each orphaned run (its job was
 *   retried after the kill): kill → its pass starts again on a live process (the retried job's
 *   `started_on`), and kill → the run's next step in its audit trail.
 * - approval → mutation: an approver clicks Approve on a plan card on any process; the time until the
 *   run's next mutation (addons:upgrade) reaches the simulated Heroku.
 *
 * The bot processes are processes of their own; the simulated Heroku and the Slack stand-in run here.
 * `BENCH_KILLS` (default 3) and `BENCH_APPROVALS` (default 12) set the sample sizes.
 */
import pg from 'pg';
import { buttonsOf } from '../src/sandbox/slack/index.js';
import { CHANNEL, USERS } from '../test/bot/support/harness.js';
import { startReplicaWorld, type Replica, type ReplicaWorld } from './support/replicas.js';

const TIME_SCALE = 300;
const KILLS = Number(process.env.BENCH_KILLS ?? 3);
const APPROVALS = Number(process.env.BENCH_APPROVALS ?? 12);
/** Runs started before each kill: enough that the victim holds some of them mid-pass. */
const RUNS_PER_KILL = 10;
/** Requests that change nothing: name resolution, the Connect access list, a Salesforce login link. */
const NOT_MUTATIONS = /^\/actions\/addon(-attachment)?s\/resolve$|^\/auth\/|\/authorize_url$/;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)]!;

interface Figures {
  takeover: number[];
  nextStep: number[];
  /** Kill → the fresh process (Heroku's restarted dyno) answers: the only taker with one process. */
  restart: number[];
  approvalToMutation: number[];
  clickToRecorded: number[];
  recordedToPass: number[];
  /** Approvals whose next pass ran on another process than the one that got the click. */
  passElsewhere: number;
}

async function measure(processes: number): Promise<Figures> {
  const takeoverApps = Array.from({ length: KILLS * RUNS_PER_KILL }, (_, i) => `tk-${processes}-${String(i).padStart(3, '0')}`);
  const approvalApps = Array.from({ length: APPROVALS }, (_, i) => `ap-${processes}-${String(i).padStart(3, '0')}`);
  const world = await startReplicaWorld({
    timeScale: TIME_SCALE,
    apps: [...takeoverApps, ...approvalApps].map((name) => ({ name, kind: 'connect' as const })),
    approvals: { default: 1 },
  });
  const db = new pg.Client({ connectionString: world.databaseUrl });
  await db.connect();
  let started = 0;
  const startReplica = () => world.start(`web.${++started}`);
  try {
    await Promise.all(Array.from({ length: processes }, () => startReplica()));
    const figures: Figures = { takeover: [], nextStep: [], restart: [], approvalToMutation: [], clickToRecorded: [], recordedToPass: [], passElsewhere: 0 };
    await approvalRounds(world, approvalApps, figures);
    for (let kill = 0; kill < KILLS; kill++) {
      process.stderr.write(`  ${processes} process(es): kill ${kill + 1} of ${KILLS}\n`);
      await killRound(world, db, takeoverApps.slice(kill * RUNS_PER_KILL, (kill + 1) * RUNS_PER_KILL), startReplica, figures);
    }
    return figures;
  } finally {
    await db.end();
    await world.close();
  }
}

/** Plan cards approved one at a time, each click on a random process: click → the run's mutation. */
async function approvalRounds(world: ReplicaWorld, apps: string[], figures: Figures): Promise<void> {
  for (const app of apps) await pick(world.replicas).driver.command({ user: USERS.operator, channel: CHANNEL, text: `plan-change ${app} standard-2` });
  for (const app of apps) {
    const card = await until(async () => {
      const run = await world.store.db.selectFrom('runs').select(['id', 'status']).where('app', '=', app).executeTakeFirst();
      if (run?.status !== 'awaiting_approval') return undefined;
      const row = await world.store.db.selectFrom('slack_messages').selectAll().where('key', '=', `plan:${run.id}`).executeTakeFirst();
      const message = row && world.workspace.message(row.channel, row.ts);
      return message && buttonsOf(message.blocks).some((b) => b.action_id === 'approve') ? message : undefined;
    }, 60_000, `${app}'s plan card with its Approve button`);
    const seen = world.sim.requests().length;
    const clickedAt = world.sim.world.clock.now();
    await pick(world.replicas).driver.click({ user: USERS.approver, message: card, actionId: 'approve' });
    const mutation = await until(
      async () => world.sim.requests().slice(seen).find((r) => r.method !== 'GET' && r.status < 300 && !NOT_MUTATIONS.test(r.path)),
      60_000,
      `${app}'s mutation after its approval`,
    );
    // The simulator stamps requests in simulated time: back to real milliseconds.
    const clickedReal = Date.now() - (world.sim.world.clock.now() - clickedAt) / TIME_SCALE;
    figures.approvalToMutation.push((Date.parse(mutation.at) - clickedAt) / TIME_SCALE);
    // Where the time went: the click recorded, then the run's next pass on whichever process fetched it.
    const trail = await world.store.db.selectFrom('audit_events').innerJoin('runs', 'runs.id', 'audit_events.run_id').select(['audit_events.at', 'audit_events.type', 'audit_events.actor', 'audit_events.detail']).where('runs.app', '=', app).orderBy('audit_events.id').execute();
    const recorded = trail.find((e) => e.type === 'approval.recorded');
    const next = recorded && trail.slice(trail.indexOf(recorded) + 1).find((e) => e.actor === 'engine');
    if (recorded && next) {
      figures.clickToRecorded.push(Date.parse(recorded.at) - clickedReal);
      figures.recordedToPass.push(Date.parse(next.at) - Date.parse(recorded.at));
      if ((JSON.parse(next.detail) as { process?: string }).process !== (JSON.parse(recorded.detail) as { process?: string }).process) figures.passElsewhere++;
    }
  }
}

/**
 * Starts runs that poll Heroku, SIGKILLs a process while runs' wake-ups are active, and starts a
 * fresh one (as Heroku restarts a dyno). A job the victim held expires and is fetched again by a
 * live process (pg-boss keeps its id and counts the retry): that run was orphaned.
 */
async function killRound(world: ReplicaWorld, db: pg.Client, apps: string[], startReplica: () => Promise<Replica>, figures: Figures): Promise<void> {
  const job = `${world.queueSchema}.job`;
  for (const app of apps) await pick(world.replicas).driver.command({ user: USERS.operator, channel: CHANNEL, text: `reload ${app} Account` });
  // The runs are under way: their steps are being driven.
  await until(async () => ((await world.store.db.selectFrom('runs').select('id').where('app', 'in', apps).where('status', '=', 'running').execute()).length >= apps.length / 2 ? true : undefined), 60_000, 'runs under way');
  const victim = pick(world.replicas);
  let snapshot: Array<{ id: string; retry_count: number; singleton_key: string }> = [];
  let killedAt = 0;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    ({ rows: snapshot } = await db.query(`select id, retry_count, singleton_key from ${job} where name = 'run-wakeup' and state = 'active'`));
    if (snapshot.length > 0) {
      victim.child.kill('SIGKILL');
      killedAt = Date.now();
      break;
    }
    await sleep(5);
  }
  if (killedAt === 0) throw new Error('no run was mid-pass within 30 s');
  await world.kill(victim);
  await startReplica();
  figures.restart.push(Date.now() - killedAt);

  // Each job of the snapshot ends either completed by a live process, or retried after its expiry.
  const outcome = await until(
    async () => {
      const { rows } = await db.query<{ id: string; state: string; retry_count: number; started_on: Date | null }>(`select id, state, retry_count, started_on from ${job} where id = any($1::uuid[])`, [snapshot.map((s) => s.id)]);
      const settled = snapshot.map((s) => {
        const now = rows.find((r) => r.id === s.id);
        if (!now) return undefined;
        if (now.retry_count > s.retry_count && now.state !== 'retry') return { ...s, orphaned: true, takenAt: now.started_on!.getTime() };
        if (now.retry_count === s.retry_count && now.state === 'completed') return { ...s, orphaned: false, takenAt: 0 };
        return undefined;
      });
      return settled.every((s) => s !== undefined) ? settled.map((s) => s!) : undefined;
    },
    180_000,
    'the orphaned runs taken over',
  );
  for (const orphan of outcome.filter((o) => o.orphaned)) {
    figures.takeover.push(orphan.takenAt - killedAt);
    const next = await until(
      () =>
        world.store.db
          .selectFrom('audit_events')
          .select('at')
          .where('run_id', '=', orphan.singleton_key)
          .where('at', '>', new Date(killedAt).toISOString())
          .orderBy('at')
          .executeTakeFirst(),
      60_000,
      `the next step of run ${orphan.singleton_key}`,
    );
    figures.nextStep.push(Date.parse(next.at) - killedAt);
  }
}

async function until<T>(find: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const seconds = (ms: number) => (Number.isNaN(ms) ? '—' : `${(ms / 1000).toFixed(2)} s`);

const one = await measure(1);
const three = await measure(3);
const rows: Array<[string, number, number]> = [];
for (const [label, key] of [
  ['takeover: kill → orphaned pass starts', 'takeover'],
  ['kill → next step of an orphaned run', 'nextStep'],
  ['kill → fresh process ready', 'restart'],
  ['approval click → next mutation', 'approvalToMutation'],
  ['  of which click → approval recorded', 'clickToRecorded'],
  ['  of which recorded → run\'s next pass', 'recordedToPass'],
] as const) {
  rows.push([`${label} p50`, percentile(one[key], 50), percentile(three[key], 50)]);
  rows.push([`${label} p99`, percentile(one[key], 99), percentile(three[key], 99)]);
}
const width = Math.max(...rows.map(([label]) => label.length));
console.log(`${'replicas on one Postgres (pg-boss)'.padEnd(width)}  ${'1 process'.padStart(10)}  ${'3 processes'.padStart(11)}  ${'3 vs 1'.padStart(7)}`);
for (const [label, a, b] of rows) console.log(`${label.padEnd(width)}  ${seconds(a).padStart(10)}  ${seconds(b).padStart(11)}  ${`${(b / a).toFixed(2)}×`.padStart(7)}`);
console.log(
  `samples: ${one.takeover.length} orphaned runs over ${KILLS} kills and ${one.approvalToMutation.length} approvals with 1 process; ` +
    `${three.takeover.length} orphaned runs and ${three.approvalToMutation.length} approvals with 3, ${three.passElsewhere} of whose next pass ran on another process than the click (time scale ${TIME_SCALE})`,
);
