import { commandHelp, usageLine, type UsageError } from '../commands/grammar.js';
import { header, section, type MessageContent } from './blocks.js';
import { code, escape } from './format.js';
import { fitMessage, packLines } from './limits.js';

/** `/connect help [COMMAND]` and the answer to anything that does not parse. */
export function helpView(topic: string | null): MessageContent {
  const commands = commandHelp().filter((c) => topic === null || c.name === topic);
  const lines = commands.map((c) =>
    [
      `\`/connect ${c.usage}\``,
      `      ${escape(c.summary.replace(/\.$/, ''))}.`,
      ...c.variants.map((v) => `      \`--via ${v.via}\`: ${escape(v.summary)}.`),
      // One command asked about: what each word is, and examples.
      ...(topic ? c.params.map((p) => `      \`${p.name}\`: ${escape(p.description)}`) : []),
      ...(topic ? c.examples.map((e) => `      e.g. \`/connect ${e}\``) : []),
    ].join('\n'),
  );
  const notes = [
    'Apps can also be given as `-a APP`. `--at` takes a time such as `tomorrow 02:00 UTC`; a time without a zone is UTC.',
    'Runs start only from the app\'s channel and only by its operators; approvals come from its approvers.',
  ];
  return {
    text: topic ? `/connect ${usageLine(topic) ?? topic}` : '/connect commands',
    blocks: fitMessage([header(topic ? `/connect ${topic}` : '/connect'), ...packLines([...lines, '', ...notes]).map((t) => section(t))]),
  };
}

export function usageErrorText(error: UsageError): string {
  const suggestion = error.suggestion ? ` Did you mean ${code(error.suggestion)}?` : '';
  return `${error.problem}${suggestion}\nUsage: \`/connect ${error.usage}\``;
}
