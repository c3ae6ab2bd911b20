import type { RunView } from '../../ops/engine/types.js';
import { header, section, type MessageContent } from './blocks.js';
import { code, slackTime } from './format.js';
import { fitMessage, packLines } from './limits.js';
import { runStatusEmoji, runStatusWords } from './run-status.js';

/** `/connect runs [APP]`: recent runs, newest first. */
export function runsList(runs: readonly RunView[], app: string | null): MessageContent {
  const title = app ? `Runs of ${app}` : 'Recent runs';
  if (runs.length === 0) return { text: `${title}: none yet.`, blocks: [section(`*${title}:* none yet.`)] };
  const lines = runs.map(
    (r) => `${runStatusEmoji(r.status)} ${code(r.id)} *${r.runbook}* ${r.app} — ${runStatusWords(r.status)} · ${slackTime(r.createdAt)} · <@${r.requestedBy}>`,
  );
  return { text: title, blocks: fitMessage([header(title), ...packLines(lines).map((t) => section(t))]) };
}
