import * as chrono from 'chrono-node';
import { code } from '../views/format.js';
import { runbooks } from '../../ops/runbooks/index.js';
import { commandsOf, usageOf, variantOf, viasOf, type CommandEntry } from '../../ops/runbooks/commands.js';
import { closest } from './closest.js';
import { tokenize } from './tokens.js';

/**
 * The `/connect` grammar: the text of a slash command becomes one of a closed set of commands, or
 * a usage error that names the problem, the usage line and the closest valid choice. Arguments
 * follow the Heroku CLI's habits: `-a APP` / `--app APP`, `--flag value` and `--flag=value`.
 */

/** The runbooks' commands, each declared once by its runbooks (src/ops/runbooks/commands.ts). */
const RUNBOOK_ENTRIES: readonly CommandEntry[] = commandsOf(runbooks);

/** The command a runbook is asked for with: `upgrade` for `upgrade-via-follower`. */
export function commandOf(runbook: string): string | undefined {
  return RUNBOOK_ENTRIES.find((e) => e.variants.some((v) => v.runbook === runbook))?.command;
}

/** The commands that start a runbook, in help order: `upgrade`, `plan-change`, ... */
export const RUNBOOK_COMMANDS: readonly string[] = RUNBOOK_ENTRIES.map((e) => e.command);

/** A runbook to plan or start, with its parameters as the engine takes them. */
export interface RunRequest {
  /** The runbook the command and `--via` name: `upgrade --via follower` is `upgrade-via-follower`. */
  runbook: string;
  /** The command word typed (`upgrade`): policy may set approvals per command. */
  command: string;
  app: string;
  params: Record<string, unknown>;
  /** `--at`: the cutover does not start before this time. */
  notBefore: Date | null;
}

export type Command =
  | { name: 'help'; topic: string | null }
  | { name: 'status'; app: string }
  | { name: 'maintenance' }
  | { name: 'runs'; app: string | null }
  | { name: 'cancel'; runId: string }
  /** Shows the plan without starting anything. */
  | { name: 'plan'; request: RunRequest }
  | { name: 'run'; request: RunRequest };

export interface UsageError {
  /** What is wrong, with the offending word echoed in a code span. */
  problem: string;
  /** The usage line of the command, without `/connect`. */
  usage: string;
  /** The closest valid choice, when there is a helpful one. */
  suggestion: string | null;
}

export type ParseResult = { ok: true; command: Command } | { ok: false; error: UsageError };

/** What valid words are: the apps in the policy, plan names and installed runbooks. */
export interface Vocabulary {
  apps: readonly string[];
  /** Heroku Postgres plans; any plan name is accepted when absent. */
  plans?: readonly string[];
  /** Runbooks the engine has; every run command is accepted when absent. */
  runbooks?: readonly string[];
  now: Date;
}

// ---------------------------------------------------------------------------------------------
// The commands

type ArgKind = 'app' | 'plan' | 'sf-name' | 'run' | 'topic';

interface Positional {
  /** As the usage line shows it: APP, PLAN, FIELD. */
  name: string;
  /** The parameter it becomes. */
  key: string;
  kind: ArgKind;
  optional?: boolean;
  /** Takes every remaining word. */
  many?: boolean;
}

interface OptionSpec {
  flag: `--${string}`;
  key: string;
  value: 'int' | 'time' | 'flag' | readonly string[];
}

interface CommandSpec {
  name: string;
  usage: string;
  summary: string;
  positionals: Positional[];
  options: OptionSpec[];
}

const APP: Positional = { name: 'APP', key: 'app', kind: 'app' };
const AT: OptionSpec = { flag: '--at', key: 'notBefore', value: 'time' };
const VIA_KEY = 'via';

/** A runbook command's words, from its runbooks' declared parameters: every variant's options, `--via` and `--at`. */
function runbookSpec(entry: CommandEntry): CommandSpec {
  const [first] = entry.variants;
  const params = first?.surface.params ?? [];
  const positionals = params
    .filter((p) => p.kind === 'positional')
    .map((p): Positional => ({ name: p.name, key: p.key, kind: p.type === 'plan' || p.type === 'app' ? p.type : 'sf-name', optional: p.optional, many: p.many }));
  const options = new Map<string, OptionSpec>();
  for (const variant of entry.variants) {
    for (const p of variant.surface.params.filter((q) => q.kind === 'option')) {
      options.set(p.name, { flag: p.name as `--${string}`, key: p.key, value: p.type === 'flag' ? 'flag' : 'int' });
    }
  }
  const vias = viasOf(entry);
  if (vias.length > 0) options.set('--via', { flag: '--via', key: VIA_KEY, value: vias });
  if (entry.variants.some((v) => v.surface.schedulable)) options.set('--at', AT);
  return { name: entry.command, usage: usageOf(entry), summary: first?.summary ?? '', positionals, options: [...options.values()] };
}

const RUNBOOK_SPECS: Record<string, CommandSpec> = Object.fromEntries(RUNBOOK_ENTRIES.map((entry) => [entry.command, runbookSpec(entry)]));

const OTHER_SPECS = {
  help: { name: 'help', usage: 'help [COMMAND]', summary: 'Show the commands, or how to use one.', positionals: [{ name: 'COMMAND', key: 'topic', kind: 'topic', optional: true }], options: [] },
  status: { name: 'status', usage: 'status APP', summary: "Show the app's Heroku Connect, mappings and databases.", positionals: [APP], options: [] },
  plan: { name: 'plan', usage: 'plan RUNBOOK APP [OPTIONS]', summary: 'Show what a runbook would do, without starting it.', positionals: [], options: [] },
  runs: { name: 'runs', usage: 'runs [APP]', summary: 'List recent runs.', positionals: [{ ...APP, optional: true }], options: [] },
  cancel: { name: 'cancel', usage: 'cancel RUN', summary: 'Stop a run at its next safe point.', positionals: [{ name: 'RUN', key: 'runId', kind: 'run' }], options: [] },
  maintenance: { name: 'maintenance', usage: 'maintenance', summary: 'List announced Heroku Connect maintenance windows.', positionals: [], options: [] },
} satisfies Record<string, CommandSpec>;

type OtherName = keyof typeof OTHER_SPECS;

const SPECS: Record<string, CommandSpec> = { ...OTHER_SPECS, ...RUNBOOK_SPECS };
export const COMMAND_NAMES: readonly string[] = ['help', 'status', 'plan', ...RUNBOOK_COMMANDS, 'runs', 'cancel', 'maintenance'];

export interface CommandHelp {
  name: string;
  usage: string;
  summary: string;
  /** Runbook commands: each `--via` runbook's summary. */
  variants: Array<{ via: string; summary: string }>;
  /** Runbook commands: what each parameter is. */
  params: Array<{ name: string; description: string }>;
  examples: readonly string[];
}

/** Usage lines, summaries, parameters and examples in help order: runbook commands as their runbooks declare them. */
export function commandHelp(): CommandHelp[] {
  return COMMAND_NAMES.flatMap((name): CommandHelp[] => {
    const spec = SPECS[name];
    if (!spec) return [];
    const entry = RUNBOOK_ENTRIES.find((e) => e.command === name);
    if (!entry) return [{ name, usage: spec.usage, summary: spec.summary, variants: [], params: [], examples: [] }];
    const params = [...new Map(entry.variants.flatMap((v) => v.surface.params).map((p) => [p.name, { name: p.name, description: p.description }])).values()];
    return [
      {
        name,
        usage: spec.usage,
        summary: spec.summary,
        variants: entry.variants.flatMap((v) => (v.via ? [{ via: v.via, summary: v.summary }] : [])),
        params,
        examples: entry.variants.flatMap((v) => v.surface.examples),
      },
    ];
  });
}

export function usageLine(name: string): string | undefined {
  return SPECS[name]?.usage;
}

const GENERAL_USAGE = 'COMMAND [ARGS] (`/connect help` lists the commands)';

// ---------------------------------------------------------------------------------------------
// Parsing

class Refusal extends Error {
  constructor(
    readonly problem: string,
    readonly suggestion: string | null = null,
  ) {
    super(problem);
  }
}

export function parseCommand(text: string, vocabulary: Vocabulary): ParseResult {
  const tokens = tokenize(text);
  const [first, ...rest] = tokens;
  if (first === undefined) return { ok: true, command: { name: 'help', topic: null } };
  const name = first.toLowerCase();
  const spec = SPECS[name];
  if (!spec) {
    return usageError(GENERAL_USAGE, `Unknown command ${code(first)}.`, closest(name, COMMAND_NAMES) ?? null);
  }
  let usage = spec.usage;
  try {
    if (name === 'plan') {
      const [runbookWord, ...args] = rest;
      const runbook = runbookName(runbookWord, vocabulary);
      usage = `plan ${RUNBOOK_SPECS[runbook]!.usage}`;
      return { ok: true, command: { name: 'plan', request: runRequest(runbook, args, vocabulary) } };
    }
    if (isRunbook(name)) {
      runbookName(name, vocabulary);
      return { ok: true, command: { name: 'run', request: runRequest(name, rest, vocabulary) } };
    }
    return { ok: true, command: otherCommand(name as Exclude<OtherName, 'plan'>, parseArgs(spec, rest, vocabulary)) };
  } catch (error) {
    if (error instanceof Refusal) return usageError(usage, error.problem, error.suggestion);
    throw error;
  }
}

function usageError(usage: string, problem: string, suggestion: string | null): ParseResult {
  return { ok: false, error: { problem, usage, suggestion } };
}

function isRunbook(name: string): boolean {
  return RUNBOOK_COMMANDS.includes(name);
}

/** A command one of whose runbooks is installed (every one when the vocabulary does not say). */
const installed = (entry: CommandEntry, vocabulary: Vocabulary): boolean => !vocabulary.runbooks || entry.variants.some((v) => vocabulary.runbooks!.includes(v.runbook));

function runbookName(word: string | undefined, vocabulary: Vocabulary): string {
  const available = RUNBOOK_ENTRIES.filter((e) => installed(e, vocabulary)).map((e) => e.command);
  if (word === undefined) throw new Refusal(`Name a runbook: ${available.map((r) => code(r)).join(', ')}.`);
  const name = word.toLowerCase();
  if (!isRunbook(name)) throw new Refusal(`Unknown runbook ${code(word)}.`, closest(name, available) ?? null);
  if (!available.includes(name)) throw new Refusal(`The ${code(name)} runbook is not installed in this connect-ops yet.`);
  return name;
}

/** The words of a runbook command, resolved to the runbook its `--via` names, with that runbook's parameters only. */
function runRequest(command: string, args: string[], vocabulary: Vocabulary): RunRequest {
  const entry = RUNBOOK_ENTRIES.find((e) => e.command === command)!;
  const { app, notBefore, [VIA_KEY]: via, ...params } = parseArgs(RUNBOOK_SPECS[command]!, args, vocabulary);
  const variant = variantOf(entry, via as string | undefined);
  if (!variant) throw new Refusal(`${code(`${command} --via ${String(via)}`)} is not a runbook.`);
  const shown = `${command}${variant.via ? ` --via ${variant.via}` : ''}`;
  if (vocabulary.runbooks && !vocabulary.runbooks.includes(variant.runbook)) throw new Refusal(`The ${code(shown)} runbook is not installed in this connect-ops yet.`);
  const keys = new Set(variant.surface.params.map((p) => p.key));
  for (const key of Object.keys(params)) {
    if (keys.has(key)) continue;
    const flag = RUNBOOK_SPECS[command]!.options.find((o) => o.key === key)?.flag ?? key;
    const with_ = entry.variants.filter((v) => v.surface.params.some((p) => p.key === key)).map((v) => (v.via ? `--via ${v.via}` : 'no --via'));
    throw new Refusal(`${code(flag)} goes with ${with_.map((w) => code(w)).join(' or ')}, not with ${code(shown)}.`);
  }
  if (notBefore !== undefined && !variant.surface.schedulable) throw new Refusal(`${code(shown)} has no cutover to schedule with ${code('--at')}.`);
  return { runbook: variant.runbook, command, app: app as string, params, notBefore: (notBefore as Date | undefined) ?? null };
}

function otherCommand(name: Exclude<OtherName, 'plan'>, values: Record<string, unknown>): Command {
  switch (name) {
    case 'help':
      return { name, topic: (values.topic as string | undefined) ?? null };
    case 'status':
      return { name, app: values.app as string };
    case 'runs':
      return { name, app: (values.app as string | undefined) ?? null };
    case 'cancel':
      return { name, runId: values.runId as string };
    case 'maintenance':
      return { name };
  }
}

/** Options first (they may stand anywhere), then the remaining words fill the positionals in order. */
function parseArgs(spec: CommandSpec, args: string[], vocabulary: Vocabulary): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  const words: string[] = [];
  const takesApp = spec.positionals.some((p) => p.kind === 'app');
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (!/^-{1,2}[A-Za-z]/.test(arg)) {
      words.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = (eq === -1 ? arg : arg.slice(0, eq)).toLowerCase();
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);
    if (takesApp && (flag === '-a' || flag === '--app')) {
      const value = inline ?? args[++i];
      if (value === undefined || value.startsWith('-')) throw new Refusal(`${code(flag)} needs an app name.`);
      if (values.app !== undefined) throw new Refusal('Name the app once.');
      values.app = value;
      continue;
    }
    const option = spec.options.find((o) => o.flag === flag);
    if (!option) {
      const flags = [...spec.options.map((o) => o.flag), ...(takesApp ? ['--app'] : [])];
      const problem = flags.length > 0 ? `Unknown option ${code(arg)} for ${spec.name}.` : `${spec.name} takes no options (got ${code(arg)}).`;
      throw new Refusal(problem, closest(flag, flags) ?? null);
    }
    if (values[option.key] !== undefined) throw new Refusal(`Give ${code(option.flag)} once.`);
    if (option.value === 'flag') {
      if (inline !== undefined) throw new Refusal(`${code(option.flag)} takes no value.`);
      values[option.key] = true;
    } else if (option.value === 'time') {
      const taken = timeValue(option.flag, inline, args.slice(i + 1), vocabulary.now);
      values[option.key] = taken.time;
      i += taken.words;
    } else {
      const value = inline ?? args[++i];
      if (value === undefined || value === '') throw new Refusal(`${code(option.flag)} needs a value.`);
      values[option.key] = optionValue(option, value);
    }
  }
  fillPositionals(spec, words, values, vocabulary);
  return values;
}

function optionValue(option: OptionSpec, value: string): unknown {
  if (option.value === 'int') {
    if (!/^\d{1,4}$/.test(value)) throw new Refusal(`${code(option.flag)} needs a whole number such as 17 (got ${code(value)}).`);
    return Number(value);
  }
  const choices = option.value as readonly string[];
  const choice = value.toLowerCase();
  if (!choices.includes(choice)) {
    throw new Refusal(`${code(option.flag)} must be ${choices.map((c) => code(c)).join(' or ')} (got ${code(value)}).`, closest(choice, choices) ?? null);
  }
  return choice;
}

/**
 * `--at` reads the longest run of following words that is one whole time ("tomorrow 02:00 UTC"),
 * so quotes are optional; a time without a zone is UTC.
 */
function timeValue(flag: string, inline: string | undefined, following: string[], now: Date): { time: Date; words: number } {
  const candidates: Array<[string, number]> = [];
  if (inline !== undefined) candidates.push([inline, 0]);
  else {
    const end = following.findIndex((w) => w.startsWith('-'));
    const words = end === -1 ? following : following.slice(0, end);
    for (let n = Math.min(words.length, 6); n > 0; n -= 1) candidates.push([words.slice(0, n).join(' '), n]);
  }
  for (const [text, words] of candidates) {
    const time = wholeTime(text, now);
    if (!time) continue;
    if (time.getTime() <= now.getTime()) throw new Refusal(`${code(`${flag} ${text}`)} is in the past.`);
    return { time, words };
  }
  const shown = inline ?? following[0];
  const problem = shown ? `${code(`${flag} ${shown}`)} is not a time I can read.` : `${code(flag)} needs a time.`;
  throw new Refusal(`${problem} Try ${code('2026-06-01T02:00Z')}, ${code('tomorrow 02:00 UTC')} or ${code('"sat 23:00 PST"')}.`);
}

function wholeTime(text: string, now: Date): Date | undefined {
  const results = chrono.parse(text, { instant: now, timezone: 'UTC' }, { forwardDate: true });
  const [only] = results;
  if (results.length !== 1 || !only || only.index !== 0 || only.text.length !== text.trim().length) return undefined;
  return only.start.date();
}

function fillPositionals(spec: CommandSpec, words: string[], values: Record<string, unknown>, vocabulary: Vocabulary): void {
  const queue = [...words];
  for (const positional of spec.positionals) {
    if (positional.kind === 'app' && values.app !== undefined) {
      values.app = checkWord(positional, values.app as string, vocabulary);
      continue;
    }
    if (positional.many) {
      if (queue.length === 0 && !positional.optional) throw new Refusal(`Missing ${positional.name.replace('…', '')}.`);
      // None named means none given (`reload APP` reloads every mapping), not an empty list.
      if (queue.length > 0) values[positional.key] = queue.splice(0).map((w) => checkWord(positional, w, vocabulary));
      continue;
    }
    const word = queue.shift();
    if (word === undefined) {
      if (positional.optional) continue;
      throw new Refusal(`Missing ${positional.name.replace('…', '')}.`);
    }
    values[positional.key] = checkWord(positional, word, vocabulary);
  }
  const [extra] = queue;
  if (extra !== undefined) throw new Refusal(`Unexpected ${code(extra)}.`);
}

function checkWord(positional: Positional, word: string, vocabulary: Vocabulary): string {
  switch (positional.kind) {
    case 'app': {
      const app = word.toLowerCase();
      if (vocabulary.apps.includes(app)) return app;
      if (vocabulary.apps.length === 0) throw new Refusal(`No apps are configured: name ${code(app)} under \`apps:\` in the policy file.`);
      throw new Refusal(`Unknown app ${code(word)}: connect-ops manages ${vocabulary.apps.map((a) => code(a)).slice(0, 10).join(', ')}.`, closest(app, vocabulary.apps) ?? null);
    }
    case 'plan': {
      const plan = word.toLowerCase().replace(/^heroku-postgresql:/, '');
      if (!vocabulary.plans || vocabulary.plans.includes(plan)) return plan;
      throw new Refusal(`Unknown plan ${code(word)}.`, closest(plan, vocabulary.plans) ?? null);
    }
    case 'sf-name':
      if (!/^[A-Za-z][A-Za-z0-9_]{0,79}$/.test(word)) throw new Refusal(`${code(word)} is not a Salesforce object or field name.`);
      return word;
    case 'run':
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(word)) throw new Refusal(`${code(word)} is not a run ID (\`/connect runs\` lists them).`);
      return word;
    case 'topic': {
      const topic = word.toLowerCase();
      if (SPECS[topic]) return topic;
      throw new Refusal(`Unknown command ${code(word)}.`, closest(topic, COMMAND_NAMES) ?? null);
    }
  }
}
