import { commandsOf, usageOf, viasOf, type CommandEntry } from '../../ops/runbooks/commands.js';
import { runbooks } from '../../ops/runbooks/index.js';

/**
 * A runbook command's parameters as the runbook form asks for them, read from the runbooks' own
 * declarations of their command surface (src/ops/runbooks/commands.ts): the same words `/connect`
 * and `/connect help` use, with their descriptions, plus `--via` and `--at` where they apply.
 */

/** Where a parameter's choices come from, read live when the form shows it. */
export type ParameterKind =
  /** A Heroku Postgres plan. */
  | 'plan'
  /** A Postgres major version newer than Connect's database. */
  | 'version'
  /** One of the connection's mappings. */
  | 'mapping'
  /** Several mappings (none: all). */
  | 'mappings'
  /** A field the chosen mapping maps. */
  | 'field'
  /** Salesforce names typed by hand (fields not mapped yet). */
  | 'names'
  /** One of a fixed list (`--via`). */
  | 'choice'
  | 'flag'
  /** A time as `--at` reads it. */
  | 'time';

export interface RunbookParameter {
  /** The runbook parameter it fills (`version`, `object`, `notBefore`). */
  key: string;
  /** As the usage line shows it: `PLAN`, `--version`. */
  label: string;
  kind: ParameterKind;
  optional: boolean;
  /** What the runbook says it is. */
  description: string;
  choices?: readonly string[];
  /** How it is written in the command: a positional word (in order), or after its flag. */
  flag: string | null;
}

const ENTRIES: readonly CommandEntry[] = commandsOf(runbooks);

/** The runbook commands, in help order. */
export const MODAL_RUNBOOKS: readonly string[] = ENTRIES.map((e) => e.command);

const entryOf = (command: string): CommandEntry | undefined => ENTRIES.find((e) => e.command === command);

export function isRunbookCommand(command: string): boolean {
  return entryOf(command) !== undefined;
}

/** The usage line and summary of a command, as `/connect help` shows them. */
export function commandDescription(command: string): { usage: string; summary: string } | undefined {
  const entry = entryOf(command);
  return entry && { usage: usageOf(entry), summary: entry.variants[0]?.summary ?? '' };
}

/** Salesforce names by what they name: the mapping's object, one of its fields, fields to add, mappings. */
const NAME_KINDS: Record<string, ParameterKind> = { object: 'mapping', field: 'field', fields: 'names', mappings: 'mappings' };

export function runbookParameters(command: string): RunbookParameter[] {
  const entry = entryOf(command);
  if (!entry) return [];
  const positionals = (entry.variants[0]?.surface.params ?? [])
    .filter((p) => p.kind === 'positional' && p.type !== 'app')
    .map((p): RunbookParameter => ({
      key: p.key,
      label: p.name,
      kind: p.type === 'plan' ? 'plan' : (NAME_KINDS[p.key] ?? 'names'),
      optional: Boolean(p.optional),
      description: p.description,
      flag: null,
    }));
  const options = new Map<string, RunbookParameter>();
  for (const variant of entry.variants) {
    for (const p of variant.surface.params.filter((q) => q.kind === 'option')) {
      const kind: ParameterKind = p.type === 'flag' ? 'flag' : p.key === 'version' ? 'version' : 'names';
      options.set(p.name, { key: p.key, label: p.name, kind, optional: true, description: p.description, flag: p.name });
    }
  }
  const vias = viasOf(entry);
  if (vias.length > 0) {
    options.set('--via', { key: 'via', label: '--via', kind: 'choice', optional: true, description: 'Another way to run it.', choices: vias, flag: '--via' });
  }
  if (entry.variants.some((v) => v.surface.schedulable)) {
    options.set('--at', { key: 'notBefore', label: '--at', kind: 'time', optional: true, description: 'The cutover does not start before this time, e.g. tomorrow 02:00 UTC.', flag: '--at' });
  }
  return [...positionals, ...options.values()];
}

/**
 * The `/connect` text for a command, an app and the form's values: the form is parsed by the same
 * grammar as a typed command, so it checks exactly what a command does.
 */
export function commandText(command: string, app: string, values: Readonly<Record<string, string | string[] | boolean | undefined>>): string {
  const words: string[] = [command, app];
  for (const parameter of runbookParameters(command)) {
    const value = values[parameter.key];
    if (value === undefined || value === false || value === '' || (Array.isArray(value) && value.length === 0)) continue;
    const text = Array.isArray(value) ? value.join(' ') : value === true ? '' : value.trim();
    if (parameter.flag === null) words.push(text);
    else words.push(value === true ? parameter.flag : `${parameter.flag} ${text}`);
  }
  return words.join(' ');
}
