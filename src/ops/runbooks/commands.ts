import type { CommandSurface, ParamSpec, Runbook, RunbookRegistry } from './runbook.js';

/**
 * Runbooks as people ask for them, from each runbook's one declaration of its command surface: the
 * Slack grammar, `/connect help`, `connect-ops plan --help` and the README's table all read this.
 * Several runbooks can share a command word, told apart by `--via` (`upgrade --via follower`); the
 * grammar resolves the word and `--via` to the runbook they name.
 */

export interface Variant {
  /** The runbook that runs. */
  runbook: string;
  via?: string;
  summary: string;
  surface: CommandSurface;
}

export interface CommandEntry {
  command: string;
  /** The command's own runbook first (no `--via`), then the `--via` ones in registry order. */
  variants: Variant[];
}

/** Every command of a registry, in the order their first runbook is registered. */
export function commandsOf(registry: RunbookRegistry<never> | ReadonlyMap<string, Runbook<never>>): CommandEntry[] {
  const entries = new Map<string, CommandEntry>();
  for (const runbook of registry.values()) {
    const surface = runbook.command;
    if (!surface) continue;
    const entry = entries.get(surface.command) ?? { command: surface.command, variants: [] };
    const variant: Variant = { runbook: runbook.name, summary: runbook.summary, surface, ...(surface.via && { via: surface.via }) };
    if (surface.via) entry.variants.push(variant);
    else entry.variants.unshift(variant);
    entries.set(surface.command, entry);
  }
  return [...entries.values()];
}

/** The `--via` values a command takes. */
export const viasOf = (entry: CommandEntry): string[] => entry.variants.flatMap((v) => (v.via ? [v.via] : []));

/** The variant a command and `--via` name, or undefined. */
export function variantOf(entry: CommandEntry, via: string | undefined): Variant | undefined {
  return entry.variants.find((v) => v.via === via);
}

const positional = (p: ParamSpec): string => (p.optional ? `[${p.name}]` : p.name);
const option = (p: ParamSpec): string => `${p.optional ? '[' : ''}${p.name}${p.value ? ` ${p.value}` : ''}${p.optional ? ']' : ''}`;

/** `upgrade APP [--version N] [--via follower] [--at TIME]`: every variant's words in one line. */
export function usageOf(entry: CommandEntry): string {
  const [first] = entry.variants;
  const positionals = (first?.surface.params ?? []).filter((p) => p.kind === 'positional').map(positional);
  const options = [...new Map(entry.variants.flatMap((v) => v.surface.params.filter((p) => p.kind === 'option')).map((p) => [p.name, option(p)])).values()];
  const vias = viasOf(entry);
  const via = vias.length > 0 ? [`[--via ${vias.join('|')}]`] : [];
  const at = entry.variants.some((v) => v.surface.schedulable) ? ['[--at TIME]'] : [];
  return [entry.command, ...positionals, ...options, ...via, ...at].join(' ');
}

/** `upgrade APP --via follower [--version N] [--at TIME]`: the words of one variant. */
export function variantUsage(entry: CommandEntry, variant: Variant): string {
  const params = variant.surface.params;
  return [
    entry.command,
    ...params.filter((p) => p.kind === 'positional').map(positional),
    ...(variant.via ? [`--via ${variant.via}`] : []),
    ...params.filter((p) => p.kind === 'option').map(option),
    ...(variant.surface.schedulable ? ['[--at TIME]'] : []),
  ].join(' ');
}

const cell = (text: string): string => text.replace(/\|/g, '\\|');

/** The README's table of runbooks: one row per runbook, with the words that run it. */
export function runbookTable(registry: RunbookRegistry<never>): string {
  const rows = commandsOf(registry).flatMap((entry) => entry.variants.map((v) => `| \`${cell(variantUsage(entry, v))}\` | \`${v.runbook}\` | ${cell(v.summary)} |`));
  return ['| `/connect …` | runbook | what it does |', '|---|---|---|', ...rows].join('\n');
}

