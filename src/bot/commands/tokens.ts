/**
 * Splits the text of a slash command into words as a shell would: quotes ("...", '...', and the
 * curly quotes Slack clients substitute) group words, `--at="tomorrow 2am"` is one word, and the
 * dashes autocorrect makes of `--` are read as `--`. Slack escapes &, < and > in command text;
 * they are unescaped here.
 */
const CLOSING: Record<string, string> = { '"': '"', "'": "'", '“': '”', '‘': '’', '”': '”' };

export function tokenize(text: string): string[] {
  const unescaped = text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const tokens: string[] = [];
  let current = '';
  let inToken = false;
  let closing: string | null = null;
  for (const ch of unescaped) {
    if (closing !== null) {
      if (ch === closing) closing = null;
      else current += ch;
    } else if (CLOSING[ch] !== undefined) {
      closing = CLOSING[ch] ?? null;
      inToken = true;
    } else if (/\s/.test(ch)) {
      if (inToken) tokens.push(normalizeDashes(current));
      current = '';
      inToken = false;
    } else {
      current += ch;
      inToken = true;
    }
  }
  if (inToken) tokens.push(normalizeDashes(current));
  return tokens;
}

/** `—version` and `–version` (an em or en dash typed for `--`) become `--version`. */
function normalizeDashes(word: string): string {
  return word.replace(/^[—–]-?/, '--');
}
