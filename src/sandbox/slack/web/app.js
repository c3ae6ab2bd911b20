/* global document, window, localStorage, EventSource, CSS, ResizeObserver */
import { confirmText, initialValues, renderBlocks } from './blocks.js';
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
  /** view id -> view: everyone's App Home tab and open modals; the page shows the person's own. */
  views: new Map(),
  shortcuts: [],
  /** `channel`, or `home` while the app's Home tab is shown. */
  pane: 'channel',
  /** What the person entered in their open modal, as Slack's client keeps `view.state.values`. */
  modal: { id: null, hash: null, values: {} },
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
  store.views = new Map((state.views ?? []).map((v) => [v.id, v]));
  store.shortcuts = state.shortcuts ?? [];
  store.apps = state.panel?.apps ?? [];
  const remembered = (name, valid) => (valid.includes(localStorage.getItem(name)) ? localStorage.getItem(name) : valid[0]);
  store.me ??= remembered('connect-ops-sandbox:me', store.people.map((p) => p.id));
  store.channel ??= remembered('connect-ops-sandbox:channel', store.channels.map((c) => c.id));
  $('team-name').textContent = state.team.name;
  renderWhoami();
  renderSidebar();
  renderChannel();
  renderThread();
  renderPane();
  renderModal();
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
  if (change.type === 'view') {
    const v = change.view;
    store.views.set(v.id, v);
    if (v.user !== store.me) return;
    if (v.type === 'home') renderHome();
    else renderModal();
    return;
  }
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
  renderModal();
  if (store.pane === 'home') showHome();
});

function renderSidebar() {
  if (store.pane === 'home') $('home-link').setAttribute('aria-current', 'page');
  else $('home-link').removeAttribute('aria-current');
  $('channels').replaceChildren(
    ...store.channels.map((channel) => {
      const button = element('button', 'channel-link');
      button.type = 'button';
      button.append(element('span', 'hash', '#'), element('span', 'channel-link-name', channel.name));
      if (channel.id === store.channel && store.pane === 'channel') button.setAttribute('aria-current', 'page');
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
  store.pane = 'channel';
  renderPane();
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
  const commands = app ? [`/connect upgrade ${app}`, `/connect status ${app}`, '/connect', '/connect runs', '/connect help'] : ['/connect maintenance', '/connect help'];
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

// ---- App Home and modals -----------------------------------------------------------------------

const myView = (type) => [...store.views.values()].filter((v) => v.user === store.me && v.type === type && !v.closed).at(-1);

/** Shows the app's Home tab; opening it is what makes the app draw it (app_home_opened). */
function showHome() {
  store.pane = 'home';
  renderPane();
  renderHome();
  void postJson('/ui/home', { user: store.me }).catch((error) => ($('composer-error').textContent = error.message));
}

$('home-link').addEventListener('click', () => showHome());

function renderPane() {
  $('home-pane').hidden = store.pane !== 'home';
  document.querySelector('main.channel:not(#home-pane)').hidden = store.pane === 'home';
  renderSidebar();
}

function renderHome() {
  if (store.pane !== 'home') return;
  const home = myView('home');
  if (!home) {
    $('home-view').replaceChildren(element('p', 'muted', 'The app has not drawn your Home tab yet.'));
    return;
  }
  const ctx = { ...names, confirm, act: (button, blockId) => viewAction(home, blockId, button.action_id, { type: 'button', value: button.value }) };
  $('home-view').replaceChildren(renderBlocks(home.view.blocks ?? [], ctx));
}

/** A click or a pick in a view, sent with the view's state as the person's client keeps it. */
function viewAction(view, blockId, actionId, action, values) {
  return postJson('/ui/view-action', { user: store.me, viewId: view.id, blockId: blockId ?? '', actionId, action, ...(values ? { values } : {}) }).catch((error) => {
    $('composer-error').textContent = error.message;
  });
}

/** The person's open modal, drawn again whenever the app updates it. */
function renderModal() {
  const dialog = $('modal');
  const modal = myView('modal');
  if (!modal) {
    store.modal = { id: null, hash: null, values: {} };
    if (dialog.open) dialog.close();
    return;
  }
  // A new version of the view starts from what it shows; errors keep what was entered.
  if (store.modal.id !== modal.id || store.modal.hash !== modal.hash) store.modal = { id: modal.id, hash: modal.hash, values: { ...initialValues(modal.view.blocks), ...modal.values } };
  $('modal-title').textContent = modal.view.title?.text ?? '';
  $('modal-submit').textContent = modal.view.submit?.text ?? 'Submit';
  $('modal-submit').hidden = !modal.view.submit;
  $('modal-close').textContent = modal.view.close?.text ?? 'Cancel';
  const form = {
    values: store.modal.values,
    errors: modal.errors ?? {},
    change(blockId, actionId, state, dispatch) {
      store.modal.values = { ...store.modal.values, [blockId]: { [actionId]: state } };
      if (dispatch) void viewAction(modal, blockId, actionId, state, store.modal.values);
    },
  };
  const ctx = { ...names, confirm, form, act: (button, blockId) => viewAction(modal, blockId, button.action_id, { type: 'button', value: button.value }, store.modal.values) };
  $('modal-body').replaceChildren(renderBlocks(modal.view.blocks ?? [], ctx));
  if (!dialog.open) dialog.showModal();
}

$('modal-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const modal = myView('modal');
  if (!modal) return;
  $('modal-submit').disabled = true;
  try {
    await postJson('/ui/view-submit', { user: store.me, viewId: modal.id, values: store.modal.values });
  } catch (error) {
    $('composer-error').textContent = error.message;
  } finally {
    $('modal-submit').disabled = false;
  }
});

const closeModal = () => {
  const modal = myView('modal');
  if (modal) void postJson('/ui/view-close', { user: store.me, viewId: modal.id }).catch(() => undefined);
  $('modal').close();
};
$('modal-close').addEventListener('click', closeModal);
$('modal-x').addEventListener('click', closeModal);
$('modal').addEventListener('cancel', (event) => {
  event.preventDefault();
  closeModal();
});

/** The ⚡ menu: the app's global shortcuts. */
$('shortcut-button').addEventListener('click', () => {
  const menu = $('shortcut-menu');
  const open = menu.hidden;
  menu.hidden = !open;
  $('shortcut-button').setAttribute('aria-expanded', String(open));
  menu.replaceChildren(
    ...(store.shortcuts.length > 0 ? store.shortcuts : [{ name: 'No shortcuts', callbackId: '' }]).map((shortcut) => {
      const item = element('button', '', shortcut.name);
      item.type = 'button';
      item.setAttribute('role', 'menuitem');
      item.disabled = !shortcut.callbackId;
      item.addEventListener('click', () => {
        menu.hidden = true;
        $('shortcut-button').setAttribute('aria-expanded', 'false');
        void postJson('/ui/shortcut', { user: store.me, callbackId: shortcut.callbackId }).catch((error) => ($('composer-error').textContent = error.message));
      });
      return item;
    }),
  );
});

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
  // Input blocks belong to views, never to messages.
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
