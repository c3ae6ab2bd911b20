/* global document, window, localStorage, EventSource, CSS, ResizeObserver */
import { confirmText, renderBlocks } from './blocks.js';
import { element, mrkdwn } from './mrkdwn.js';
import { createPanel } from './panel.js';

/**
 * The sandbox page: a small Slack client for the stand-in's workspace. It loads the workspace
 * from /ui/state, follows /ui/events (Server-Sent Events) to stay live, and acts as the person
 * chosen in "You are": the composer sends commands and messages, buttons send clicks.
 */

const $ = (id) => document.getElementById(id);
const key = (channel, ts) => `${channel}:${ts}`;
const TIME = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });

const store = {
  bot: null,
  people: [],
  users: new Map(),
  groups: new Map(),
  channels: [],
  /** `${channel}:${ts}` -> message, thread replies included. */
  messages: new Map(),
  /** id -> ephemeral, for everyone: the page shows each person only theirs. */
  ephemerals: new Map(),
  dismissed: new Set(),
  unread: new Map(),
  me: null,
  channel: null,
  /** The key of the message whose thread is open. */
  thread: null,
  apps: [],
  /** Whether a simulated Heroku is behind the page: the stand-in alone has no sandbox panel. */
  hasPanel: false,
};

/** What mrkdwn needs to name users, groups and channels. */
const names = {
  get me() {
    return store.me;
  },
  user: (id) => store.users.get(id),
  group: (id) => store.groups.get(id),
  channel: (id) => store.channels.find((c) => c.id === id),
  openChannel: (id) => selectChannel(id),
};

const panel = createPanel((action) => postJson('/ui/sandbox', action));

// ---- loading and live updates ------------------------------------------------------------------

async function load() {
  const state = await (await fetch('/ui/state')).json();
  store.bot = state.bot;
  store.people = state.people;
  store.users = new Map(state.users.map((u) => [u.id, u]));
  store.groups = new Map(state.groups.map((g) => [g.id, g]));
  store.channels = state.channels;
  store.messages = new Map(state.messages.map((m) => [key(m.channel, m.ts), m]));
  store.ephemerals = new Map(state.ephemerals.map((e) => [e.id, e]));
  store.apps = state.panel?.apps ?? [];
  const remembered = (name, valid) => (valid.includes(localStorage.getItem(name)) ? localStorage.getItem(name) : valid[0]);
  store.me ??= remembered('connect-ops-sandbox:me', store.people.map((p) => p.id));
  store.channel ??= remembered('connect-ops-sandbox:channel', store.channels.map((c) => c.id));
  $('team-name').textContent = state.team.name;
  renderWhoami();
  renderSidebar();
  renderChannel();
  renderThread();
  updatePanel(state.panel);
}

function follow() {
  const events = new EventSource('/ui/events');
  // (Re)loading on every open catches up on whatever happened while disconnected.
  events.addEventListener('open', () => void load());
  events.addEventListener('workspace', (event) => applyChange(JSON.parse(event.data)));
  events.addEventListener('sandbox', (event) => updatePanel(JSON.parse(event.data)));
}

function applyChange(change) {
  if (!store.bot) return;
  if (change.type === 'ephemeral') {
    const e = change.ephemeral;
    if (store.ephemerals.has(e.id)) return;
    store.ephemerals.set(e.id, e);
    if (e.user !== store.me) return;
    if (e.channel === store.channel) $('messages').append(ephemeralElement(e));
    else markUnread(e.channel);
    return;
  }
  const m = change.message;
  const k = key(m.channel, m.ts);
  const isNew = !store.messages.has(k);
  if (change.type === 'delete') store.messages.delete(k);
  else store.messages.set(k, m);

  if (m.threadTs) {
    refreshMessage(key(m.channel, m.threadTs));
    if (store.thread === key(m.channel, m.threadTs)) renderThread();
    return;
  }
  if (store.thread === k) renderThread();
  if (m.channel !== store.channel) {
    if (isNew && m.user !== store.me) markUnread(m.channel);
    return;
  }
  if (isNew) $('messages').append(messageElement(m));
  else refreshMessage(k);
}

/** Re-renders one message of the open channel in place (an edit, a new reply in its thread). */
function refreshMessage(k) {
  const current = $('messages').querySelector(`[data-key="${CSS.escape(k)}"]`);
  if (!current) return;
  const m = store.messages.get(k);
  if (m) current.replaceWith(messageElement(m));
  else current.remove();
}

/**
 * Keeps a scroller at its end while its content grows (new messages, edits, late fonts), unless
 * the reader scrolled up. Returns a function that jumps to the end and sticks there again.
 */
function stickToEnd(scroller, content) {
  let stuck = true;
  const toEnd = () => {
    stuck = true;
    scroller.scrollTop = scroller.scrollHeight;
  };
  scroller.addEventListener('scroll', () => {
    stuck = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 40;
  });
  new ResizeObserver(() => stuck && toEnd()).observe(content);
  return toEnd;
}

const channelToEnd = stickToEnd($('messages-scroller'), $('messages'));
const threadToEnd = stickToEnd($('thread-scroller'), $('thread-messages'));

// ---- sidebar, channel, thread ------------------------------------------------------------------

function renderWhoami() {
  const select = $('whoami');
  select.replaceChildren(
    ...store.people.map((person) => {
      const option = element('option', '', `${store.users.get(person.id)?.realName ?? person.id} (${person.role})`);
      option.value = person.id;
      return option;
    }),
  );
  select.value = store.me;
}

$('whoami').addEventListener('change', (event) => {
  store.me = event.target.value;
  localStorage.setItem('connect-ops-sandbox:me', store.me);
  renderChannel();
  renderThread();
});

function renderSidebar() {
  $('channels').replaceChildren(
    ...store.channels.map((channel) => {
      const button = element('button', 'channel-link');
      button.type = 'button';
      button.append(element('span', 'hash', '#'), element('span', 'channel-link-name', channel.name));
      if (channel.id === store.channel) button.setAttribute('aria-current', 'page');
      const unread = store.unread.get(channel.id) ?? 0;
      button.setAttribute('aria-label', unread > 0 ? `#${channel.name}, ${unread} new` : `#${channel.name}`);
      if (unread > 0) {
        button.classList.add('unread');
        button.append(element('span', 'unread-dot'));
      }
      button.addEventListener('click', () => selectChannel(channel.id));
      const item = element('li');
      item.append(button);
      return item;
    }),
  );
}

function markUnread(channel) {
  store.unread.set(channel, (store.unread.get(channel) ?? 0) + 1);
  renderSidebar();
}

function selectChannel(id) {
  if (!store.channels.some((c) => c.id === id)) return;
  store.channel = id;
  store.unread.delete(id);
  if (store.thread && !store.thread.startsWith(`${id}:`)) store.thread = null;
  localStorage.setItem('connect-ops-sandbox:channel', id);
  renderSidebar();
  renderChannel();
  renderThread();
  $('composer-input').focus();
}

function renderChannel() {
  const channel = names.channel(store.channel);
  if (!channel) return;
  $('channel-name').textContent = `#${channel.name}`;
  $('channel-topic').textContent = channel.topic ?? '';
  $('composer-input').placeholder = `Message #${channel.name}, or type /connect help`;
  const roots = [...store.messages.values()].filter((m) => m.channel === channel.id && !m.threadTs);
  const mine = [...store.ephemerals.values()].filter((e) => e.channel === channel.id && e.user === store.me && !store.dismissed.has(e.id));
  const items = [...roots.map((m) => ({ at: m.at, node: () => messageElement(m) })), ...mine.map((e) => ({ at: e.at, node: () => ephemeralElement(e) }))];
  items.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  $('messages').replaceChildren(channelIntro(channel), ...items.map((i) => i.node()));
  channelToEnd();
  renderSuggestions(channel);
}

/** The top of every channel, as in Slack: what the channel is for. */
function channelIntro(channel) {
  const node = element('div', 'channel-intro');
  node.append(element('p', 'channel-intro-title', `This is the very beginning of #${channel.name}.`));
  const app = store.apps.includes(channel.name);
  node.append(element('p', 'muted', app ? `Runs on ${channel.name} are planned, approved and followed here: try /connect upgrade ${channel.name}.` : 'The bot posts announced Heroku Connect maintenance here, and follows each notice in its thread.'));
  return node;
}

/** Commands worth trying in this channel; a click puts one in the composer. */
function renderSuggestions(channel) {
  const app = store.apps.includes(channel.name) ? channel.name : null;
  const commands = app ? [`/connect upgrade ${app}`, `/connect status ${app}`, '/connect runs', '/connect help'] : ['/connect maintenance', '/connect help'];
  $('suggestions').replaceChildren(
    ...commands.map((command) => {
      const chip = element('button', 'chip', command);
      chip.type = 'button';
      chip.addEventListener('click', () => {
        $('composer-input').value = command;
        $('composer-input').focus();
      });
      return chip;
    }),
  );
}

function renderThread() {
  const parent = store.thread ? store.messages.get(store.thread) : null;
  // The side shows the open thread, else the sandbox panel.
  $('thread').hidden = !parent;
  $('panel').hidden = Boolean(parent) || !store.hasPanel;
  if (!parent) return;
  const channel = names.channel(parent.channel);
  $('thread-title').textContent = `Thread in #${channel?.name ?? parent.channel}`;
  const replies = repliesOf(parent);
  const divider = element('div', 'thread-divider', repliesLabel(replies));
  $('thread-messages').replaceChildren(messageElement(parent, { inThread: true }), divider, ...replies.map((r) => messageElement(r, { inThread: true })));
}

function updatePanel(state) {
  store.hasPanel = Boolean(state);
  panel.update(state);
  renderThread();
}

function openThread(m) {
  store.thread = key(m.channel, m.ts);
  renderThread();
  threadToEnd();
  $('thread-input').focus();
}

$('thread-close').addEventListener('click', () => {
  store.thread = null;
  renderThread();
});

const repliesOf = (m) => [...store.messages.values()].filter((r) => r.channel === m.channel && r.threadTs === m.ts);
const repliesLabel = (replies) => `${replies.length} ${replies.length === 1 ? 'reply' : 'replies'}`;

// ---- messages ------------------------------------------------------------------------------------

function messageElement(m, options = {}) {
  const node = element('article', 'msg');
  node.dataset.key = key(m.channel, m.ts);
  const body = messageFrame(node, m.user, m.at);
  if (m.edited) body.querySelector('.msg-meta').append(element('span', 'msg-edited', '(edited)'));
  const ctx = {
    ...names,
    act: (button) => postJson('/ui/click', { user: store.me, channel: m.channel, ts: m.ts, actionId: button.action_id, value: button.value }),
    confirm,
  };
  body.append(messageContent(m, ctx));
  const replies = options.inThread ? [] : repliesOf(m);
  if (replies.length > 0) {
    const link = element('button', 'thread-link', repliesLabel(replies));
    link.type = 'button';
    link.append(element('span', 'muted', ` · last at ${TIME.format(new Date(replies.at(-1).at))}`));
    link.addEventListener('click', () => openThread(m));
    body.append(link);
  }
  return node;
}

function ephemeralElement(e) {
  const node = element('article', 'msg msg-ephemeral');
  node.dataset.ephemeral = String(e.id);
  const note = element('div', 'only-you');
  note.append(element('span', '', '👁 Only visible to you'));
  const dismiss = element('button', 'link-button', 'Dismiss');
  dismiss.type = 'button';
  dismiss.addEventListener('click', () => {
    store.dismissed.add(e.id);
    node.remove();
  });
  note.append(dismiss);
  node.append(note);
  const body = messageFrame(node, store.bot.id, e.at);
  body.append(messageContent(e, names));
  return node;
}

/** Avatar, name and time; returns the body to put the content in. */
function messageFrame(node, userId, at) {
  const row = element('div', 'msg-row');
  const user = store.users.get(userId);
  const isBot = userId === store.bot.id;
  row.append(avatar(user, isBot));
  const body = element('div', 'msg-body');
  const meta = element('div', 'msg-meta');
  meta.append(element('span', 'msg-author', user?.realName ?? userId));
  if (isBot) meta.append(element('span', 'badge', 'APP'));
  const time = element('time', 'msg-time', TIME.format(new Date(at)));
  time.dateTime = at;
  meta.append(time);
  body.append(meta);
  row.append(body);
  node.append(row);
  return body;
}

function avatar(user, isBot) {
  if (isBot) {
    const img = element('img', 'avatar avatar-bot');
    img.src = '/web/favicon.svg';
    img.alt = '';
    return img;
  }
  const name = user?.realName ?? '?';
  const initials = name.split(/\s+/).map((w) => w[0] ?? '').join('').slice(0, 2).toUpperCase();
  const hue = [...(user?.id ?? '')].reduce((sum, c) => sum + c.charCodeAt(0), 0) % 6;
  const node = element('span', `avatar avatar-${hue}`, initials);
  node.setAttribute('aria-hidden', 'true');
  return node;
}

function messageContent(m, ctx) {
  if (Array.isArray(m.blocks) && m.blocks.length > 0) return renderBlocks(m.blocks, ctx);
  const text = element('div', 'msg-text mrkdwn');
  text.append(mrkdwn(m.text, ctx));
  return text;
}

/** A button's confirm dialog; resolves true when confirmed. */
function confirm(spec) {
  const dialog = $('confirm');
  $('confirm-title').textContent = spec.title?.text ?? 'Are you sure?';
  $('confirm-text').replaceChildren(confirmText(spec, names));
  $('confirm-ok').textContent = spec.confirm?.text ?? 'Yes';
  $('confirm-ok').className = `btn ${spec.style === 'danger' ? 'btn-danger' : 'btn-primary'}`;
  $('confirm-deny').textContent = spec.deny?.text ?? 'Cancel';
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm'), { once: true }));
}

// ---- composers -----------------------------------------------------------------------------------

/** What this page sent, for the up and down keys. */
const sent = [];
let recalled = 0;

$('composer').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $('composer-input');
  const text = input.value.trim();
  if (!text) return;
  sent.push(text);
  recalled = sent.length;
  input.value = '';
  send({ channel: store.channel, text });
});

// Up and down recall what was sent, as a shell does.
$('composer-input').addEventListener('keydown', (event) => {
  if ((event.key !== 'ArrowUp' && event.key !== 'ArrowDown') || sent.length === 0) return;
  recalled = Math.max(0, Math.min(sent.length, recalled + (event.key === 'ArrowUp' ? -1 : 1)));
  event.target.value = sent[recalled] ?? '';
  event.preventDefault();
});

$('thread-composer').addEventListener('submit', (event) => {
  event.preventDefault();
  const parent = store.messages.get(store.thread);
  const input = $('thread-input');
  const text = input.value.trim();
  if (!parent || !text) return;
  input.value = '';
  send({ channel: parent.channel, text, threadTs: parent.ts });
});

/** Sends what a composer holds; a refusal shows under the channel's composer. */
async function send(message) {
  const errors = $('composer-error');
  errors.textContent = '';
  try {
    await postJson('/ui/compose', { user: store.me, ...message });
  } catch (error) {
    errors.textContent = error.message;
  }
}

/** POSTs JSON; resolves with the answer's JSON (null when empty), rejects with its error. */
async function postJson(path, body) {
  const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  const answer = text ? JSON.parse(text) : null;
  if (!response.ok) throw new Error(answer?.error ?? `${path} answered ${response.status}`);
  return answer;
}

window.setInterval(() => panel.tick(), 500);
// The panel's counters (a 429 burst being spent) change without an event.
window.setInterval(async () => {
  if (!store.hasPanel) return;
  const response = await fetch('/ui/sandbox').catch(() => null);
  if (response?.ok) panel.update(await response.json());
}, 5000);
follow();
