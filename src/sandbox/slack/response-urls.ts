import { randomBytes } from 'node:crypto';

/**
 * Slack gives every slash command and button click a `response_url` bound to the user, the channel
 * and (for clicks) the message. The stand-in encodes that context in the URL itself, so a driver in
 * another process (the ack benchmark) can mint URLs the stand-in understands.
 */

export interface ResponseContext {
  channel: string;
  user: string;
  /** The message whose button was clicked: `replace_original` edits it. */
  messageTs?: string;
}

export function responseUrl(standInUrl: string, context: ResponseContext): string {
  // Slack's response_urls are unique to each command and click (the bot deduplicates by them): so are these.
  const token = Buffer.from(JSON.stringify({ c: context.channel, u: context.user, m: context.messageTs, n: randomBytes(6).toString('hex') })).toString('base64url');
  return `${standInUrl.replace(/\/+$/, '')}/response/${token}`;
}

export function responseContext(token: string): ResponseContext | undefined {
  try {
    const raw: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof raw !== 'object' || raw === null) return undefined;
    const { c, u, m } = raw as Record<string, unknown>;
    if (typeof c !== 'string' || typeof u !== 'string') return undefined;
    return { channel: c, user: u, ...(typeof m === 'string' ? { messageTs: m } : {}) };
  } catch {
    return undefined;
  }
}
