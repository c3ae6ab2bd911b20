import { Command } from 'commander';
import { planRunbook, type Plan } from '../ops/engine/index.js';
import { commandsOf, usageOf, variantOf, type CommandEntry } from '../ops/runbooks/commands.js';
import { CONSUMERS_CHECK } from '../ops/runbooks/preflight.js';
import type { PlannedConsumers } from '../ops/runbooks/reads/consumers.js';
import type { RunbookRegistry } from '../ops/runbooks/runbook.js';
import { consumerLines } from '../bot/views/consumers.js';
import { writerLines } from '../ops/runbooks/reads/writers.js';

/**
 * `connect-ops plan RUNBOOK -a APP [--param value ...]`: what a runbook would do on an app, step by
 * step with the API calls each makes and the expected downtime. A dry run: nothing is called.
 */

export interface PlanCommandDeps<Deps> {
  runbooks: RunbookRegistry<Deps>;
  /** Where the plan goes (stdout by default). */
  write?: (text: string) => void;
  /** With `--discover`: who uses the app's Connect database, read from Heroku (read-only). */
  consumers?: (app: string, runbook?: string) => Promise<PlannedConsumers>;
}

export function planCommand<Deps>(deps: PlanCommandDeps<Deps>): Command {
  const write = deps.write ?? ((text: string) => process.stdout.write(text));
  const registry = deps.runbooks as RunbookRegistry<never>;
  return new Command('plan')
    .description('print the steps a runbook would take on an app, the API calls of each and the expected downtime; changes nothing')
    .argument('<runbook>', `a command (${commandsOf(registry).map((e) => e.command).join(', ') || 'none'}) or a runbook name (${[...deps.runbooks.keys()].join(', ')})`)
    .requiredOption('-a, --app <app>', 'the Heroku app')
    .option('--json', 'print the plan as one JSON object')
    .option('--discover', "for a runbook that cuts over, read from Heroku who uses the database (every app's names, followers, Scheduler, one-off dynos); read-only")
    .allowUnknownOption()
    .allowExcessArguments()
    .addHelpText('after', () => planHelp(registry))
    .action(async (word: string, options: { app: string; json?: boolean; discover?: boolean }, command: Command) => {
      const params = runbookOptions(command.args.slice(1));
      const entry = commandsOf(registry).find((e) => e.command === word);
      // A command's --via names its runbook, as in Slack; a runbook named itself takes its parameters as they are.
      const { via, ...rest } = params;
      const plan = entry ? planRunbook(deps.runbooks, resolve(word, entry, via), rest, options.app) : planRunbook(deps.runbooks, word, params, options.app);
      const cutsOver = plan.steps.some((s) => s.title === CONSUMERS_CHECK);
      const consumers = options.discover && cutsOver && deps.consumers ? await deps.consumers(options.app, plan.runbook) : undefined;
      write(options.json ? `${JSON.stringify(consumers ? { ...plan, consumers } : plan, null, 2)}\n` : renderPlan(plan, consumers));
    });
}

/** `upgrade --via follower` is the `upgrade-via-follower` runbook. */
function resolve(word: string, entry: CommandEntry, via: unknown): string {
  const variant = variantOf(entry, typeof via === 'string' ? via.toLowerCase() : undefined);
  if (!variant) throw new Error(`${word} has no --via ${String(via)}: choose ${entry.variants.map((v) => (v.via ? `--via ${v.via}` : 'no --via')).join(', ')}.`);
  return variant.runbook;
}

/** The commands and what each runbook does, from their declared command surfaces. */
function planHelp(registry: RunbookRegistry<never>): string {
  const lines = commandsOf(registry).flatMap((entry) => [
    `  ${usageOf(entry)}`,
    ...entry.variants.map((v) => `      ${v.via ? `--via ${v.via}: ` : ''}${v.summary}`),
  ]);
  return [
    '',
    "The runbook's parameters follow as options (positional ones too, by name), e.g.",
    '  connect-ops plan upgrade -a acme-prod --version 17 --via follower',
    '  connect-ops plan plan-change -a acme-prod --plan standard-2',
    ...(lines.length > 0 ? ['', 'Runbooks, as /connect takes them:', ...lines] : []),
    '',
  ].join('\n');
}

/** `--version 17 --via=follower --dry` as `{ version: '17', via: 'follower', dry: true }`; the runbook's schema coerces. */
export function runbookOptions(tokens: string[]): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const match = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/i.exec(token);
    if (!match) throw new Error(`Unexpected argument "${token}": runbook parameters are options such as --version 17.`);
    const name = match[1]!.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    const next = tokens[i + 1];
    if (match[2] !== undefined) params[name] = match[2];
    else if (next !== undefined && !next.startsWith('--')) params[name] = tokens[++i];
    else params[name] = true;
  }
  return params;
}

export function renderPlan(plan: Plan, consumers?: PlannedConsumers): string {
  const params = Object.entries(plan.parametersShown)
    .filter(([name]) => name !== 'app')
    .map(([name, value]) => `${name}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const downtime = plan.expectedDowntime
    ? `${plan.expectedDowntime.minMinutes}–${plan.expectedDowntime.maxMinutes} minutes of stopped writes`
    : 'none: no step stops the app\'s writes';
  const lines = [
    `${plan.runbook} on ${plan.app}: ${plan.summary}`,
    ...(plan.document ? [`Follows: ${plan.document.title}${plan.document.section ? `, "${plan.document.section}"` : ''} (${plan.document.url})`] : []),
    ...(params.length > 0 ? [`Parameters: ${params.join(' ')}`] : []),
    `Expected downtime: ${downtime}`,
    `Plan hash: ${plan.hash}`,
    '',
  ];
  const width = String(plan.steps.length).length;
  for (const step of plan.steps) {
    const notes = [
      step.cites ? step.cites : '',
      step.when ? `only when ${step.when}` : '',
      step.every ? `every ${step.every}, timeout ${step.timeout}` : '',
      step.downtime ? `downtime ${step.downtime}` : '',
      step.undo ? `undo: ${step.undo}` : '',
    ].filter(Boolean);
    lines.push(`${String(step.idx + 1).padStart(width)}. ${step.kind.padEnd(8)} ${step.title}${notes.length > 0 ? `  (${notes.join('; ')})` : ''}`);
    for (const call of step.calls) lines.push(`${' '.repeat(width + 11)}${call}`);
  }
  if (consumers) {
    lines.push('', 'Who uses the database:', ...consumerLines(consumers.consumers, plan.runbook, 'text').map((line) => `  ${line}`));
    lines.push('Who stops writing, and the proof:', ...writerLines(consumers.consumers, plan.app, plan.steps.map((s) => s.title)).map((line) => `  ${line}`));
    if (consumers.refusal) lines.push(`The run will refuse: ${consumers.refusal.reason} ${consumers.refusal.next}`);
  }
  return `${lines.join('\n')}\n`;
}
