/* global document */
/**
 * Slack's mrkdwn as DOM nodes: *bold*, _italic_, ~strike~, `code`, ```code blocks```, > quotes,
 * <url|links>, <@U…> users, <!subteam^…> groups, <#C…> channels, <!date^…> times and :emoji:.
 * Everything becomes text nodes or elements built here: no string is ever parsed as HTML.
 */

/** The shortcodes the bot writes, and a few people type. Unknown ones stay as written. */
const EMOJI = {
  white_check_mark: '✅', heavy_check_mark: '✔️', x: '❌', heavy_multiplication_x: '✖️', warning: '⚠️',
  double_vertical_bar: '⏸️', octagonal_sign: '🛑', no_entry: '⛔', no_entry_sign: '🚫', raised_hand: '✋',
  closed_lock_with_key: '🔐', lock: '🔒', calendar: '📆', hourglass: '⌛', hourglass_flowing_sand: '⏳',
  arrows_counterclockwise: '🔄', white_small_square: '▫️', fast_forward: '⏩', stopwatch: '⏱️', leftwards_arrow_with_hook: '↩️', construction: '🚧',
  information_source: 'ℹ️', bulb: '💡', mag: '🔍', memo: '📝', bell: '🔔', rocket: '🚀', tada: '🎉', eyes: '👀',
  wave: '👋', '+1': '👍', thumbsup: '👍', fire: '🔥', zap: '⚡', large_green_circle: '🟢', red_circle: '🔴',
  large_yellow_circle: '🟡', large_blue_circle: '🔵',
};

/** Slack escapes exactly these three characters in message text. */
export function decodeEntities(text) {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** `:white_check_mark: done` -> `✅ done`, for plain_text with `emoji: true`. */
export function emojify(text) {
  return text.replace(/:([a-z0-9_+-]+):/g, (whole, name) => EMOJI[name] ?? whole);
}

const INLINE = new RegExp(
  [
    '<(?<special>[^<>\\n]+)>',
    '`(?<code>[^`\\n]+)`',
    '(?<![\\p{L}\\p{N}*])\\*(?<bold>[^*\\n\\s](?:[^*\\n]*[^*\\n\\s])?)\\*(?![\\p{L}\\p{N}*])',
    '(?<![\\p{L}\\p{N}_])_(?<italic>[^_\\n\\s](?:[^_\\n]*[^_\\n\\s])?)_(?![\\p{L}\\p{N}_])',
    '(?<![\\p{L}\\p{N}~])~(?<strike>[^~\\n\\s](?:[^~\\n]*[^~\\n\\s])?)~(?![\\p{L}\\p{N}~])',
    ':(?<emoji>[a-z0-9_+-]+):',
  ].join('|'),
  'gu',
);

/**
 * Renders mrkdwn into a fragment. `ctx` names what the text refers to:
 * { user(id) -> {realName}|undefined, group(id) -> {handle, users}|undefined,
 *   channel(id) -> {name}|undefined, me: user id, openChannel(id) }.
 */
export function mrkdwn(text, ctx) {
  const fragment = document.createDocumentFragment();
  const parts = text.replace(/\r\n?/g, '\n').split(/```([\s\S]*?)```/);
  parts.forEach((part, i) => {
    if (i % 2 === 1) {
      const pre = element('pre', 'mrkdwn-pre');
      pre.append(element('code', '', decodeEntities(part.replace(/^\n/, ''))));
      fragment.append(pre);
    } else if (part !== '') {
      fragment.append(blocksOf(part, ctx));
    }
  });
  return fragment;
}

/** Lines starting with `>` become quotes; the rest is inline text (newlines kept by CSS). */
function blocksOf(text, ctx) {
  const fragment = document.createDocumentFragment();
  let quote = null;
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const quoted = /^(?:>|&gt;) ?(.*)$/.exec(line);
    if (quoted) {
      if (!quote) {
        quote = element('blockquote', 'mrkdwn-quote');
        fragment.append(quote);
      } else {
        quote.append('\n');
      }
      inline(quoted[1], ctx, quote);
      return;
    }
    quote = null;
    inline(line, ctx, fragment);
    if (i < lines.length - 1 && !/^(?:>|&gt;)/.test(lines[i + 1])) fragment.append('\n');
  });
  return fragment;
}

function inline(text, ctx, parent) {
  let at = 0;
  for (const match of text.matchAll(INLINE)) {
    if (match.index > at) parent.append(decodeEntities(text.slice(at, match.index)));
    parent.append(token(match.groups, match[0], ctx));
    at = match.index + match[0].length;
  }
  if (at < text.length) parent.append(decodeEntities(text.slice(at)));
}

function token(groups, whole, ctx) {
  if (groups.special !== undefined) return special(groups.special, ctx);
  if (groups.code !== undefined) return element('code', 'mrkdwn-code', decodeEntities(groups.code));
  if (groups.emoji !== undefined) return EMOJI[groups.emoji] ?? whole;
  const [tag, inner] = groups.bold !== undefined ? ['strong', groups.bold] : groups.italic !== undefined ? ['em', groups.italic] : ['s', groups.strike];
  const node = element(tag);
  inline(inner, ctx, node);
  return node;
}

/** The `<…>` forms: mentions, channels, dates, links. */
function special(body, ctx) {
  const bar = body.indexOf('|');
  const target = bar === -1 ? body : body.slice(0, bar);
  const label = bar === -1 ? undefined : decodeEntities(body.slice(bar + 1));
  if (target.startsWith('@')) {
    const id = target.slice(1);
    return pill(`@${ctx.user(id)?.realName ?? label ?? id}`, id === ctx.me);
  }
  if (target.startsWith('#')) {
    const id = target.slice(1);
    const link = element('button', 'mention mention-channel', `#${ctx.channel(id)?.name ?? label ?? id}`);
    link.type = 'button';
    link.addEventListener('click', () => ctx.openChannel(id));
    return link;
  }
  if (target.startsWith('!subteam^')) {
    const group = ctx.group(target.slice('!subteam^'.length));
    return pill(label ?? `@${group?.handle ?? 'group'}`, Boolean(group?.users.includes(ctx.me)));
  }
  if (target.startsWith('!date^')) return date(target, label);
  if (/^!(here|channel|everyone)$/.test(target)) return pill(`@${target.slice(1)}`, true);
  const url = decodeEntities(target);
  if (!/^(https?:|mailto:)/i.test(url)) return label ?? url;
  const a = element('a', 'mrkdwn-link', label ?? url);
  a.href = url;
  a.target = '_blank';
  a.rel = 'noopener noreferrer';
  return a;
}

function pill(text, highlighted) {
  return element('span', highlighted ? 'mention mention-me' : 'mention', text);
}

const TIME = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const TIME_SECS = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit', second: '2-digit' });
const DATE_SHORT = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const DATE = new Intl.DateTimeFormat(undefined, { month: 'long', day: 'numeric', year: 'numeric' });
const DATE_LONG = new Intl.DateTimeFormat(undefined, { weekday: 'long', month: 'long', day: 'numeric', year: 'numeric' });

/** `<!date^1700000000^{date_short_pretty} {time}|fallback>` in the reader's time zone. */
function date(target, fallback) {
  const [, epoch, format = '', link] = target.split('^');
  const at = new Date(Number(epoch) * 1000);
  if (Number.isNaN(at.getTime())) return fallback ?? target;
  const pretty = (formatter) => {
    const days = Math.round((startOfDay(at) - startOfDay(new Date())) / 86_400_000);
    return days === 0 ? 'today' : days === -1 ? 'yesterday' : days === 1 ? 'tomorrow' : formatter.format(at);
  };
  const tokens = {
    date_num: at.toISOString().slice(0, 10),
    date: DATE.format(at),
    date_short: DATE_SHORT.format(at),
    date_long: DATE_LONG.format(at),
    date_pretty: pretty(DATE),
    date_short_pretty: pretty(DATE_SHORT),
    date_long_pretty: pretty(DATE_LONG),
    time: TIME.format(at),
    time_secs: TIME_SECS.format(at),
  };
  const text = format.replace(/\{(\w+)\}/g, (whole, name) => tokens[name] ?? whole);
  const node = element('time', 'mrkdwn-date', text);
  node.dateTime = at.toISOString();
  node.title = at.toUTCString();
  if (link && /^https?:/i.test(link)) {
    const a = element('a', 'mrkdwn-link');
    a.href = link;
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    a.append(node);
    return a;
  }
  return node;
}

function startOfDay(d) {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

/** A new element with a class and text content (never HTML). */
export function element(tag, className = '', text = undefined) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}
