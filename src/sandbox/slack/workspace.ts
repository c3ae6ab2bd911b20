/**
 * The state of a simulated Slack workspace: users, user groups, channels, messages with their
 * threads and edit history, and ephemeral messages per user. The Web API stand-in (server.ts)
 * changes it; tests and the sandbox page read it and listen for changes.
 */

export interface SlackUser {
  id: string;
  name: string;
  realName: string;
  isBot: boolean;
}

export interface SlackUserGroup {
  id: string;
  handle: string;
  name: string;
  users: string[];
}

export interface SlackChannel {
  id: string;
  name: string;
  /** Shown under the channel name on the sandbox page. */
  topic?: string;
}

export interface MessageVersion {
  text: string;
  blocks: unknown[];
  at: string;
}

export interface SlackMessage {
  channel: string;
  ts: string;
  /** The parent's ts for a thread reply; null for a message in the channel. */
  threadTs: string | null;
  user: string;
  text: string;
  blocks: unknown[];
  /** When it was posted: a ts only orders messages, the page shows this time. */
  at: string;
  /** Earlier versions, oldest first: one per chat.update. */
  edits: MessageVersion[];
  deleted: boolean;
}

export interface Ephemeral {
  channel: string;
  user: string;
  text: string;
  blocks: unknown[];
  at: string;
  /** `ack`: the text of a slash command's immediate answer, which Slack shows the typist only. */
  via: 'chat.postEphemeral' | 'response_url' | 'ack';
}

/** A Block Kit surface the app shows one person: their App Home tab, or a modal it opened for them. */
export interface SlackView {
  id: string;
  type: 'home' | 'modal';
  /** Whose view it is. */
  user: string;
  /** The view object as the app sent it (title, blocks, callback_id, private_metadata, submit, close...). */
  view: Record<string, unknown>;
  /** Changes with every publish or update; an update naming an old hash is refused (`hash_conflict`). */
  hash: string;
  /** What the person entered, as `view.state.values` carries it: block_id -> action_id -> value. */
  values: Record<string, Record<string, unknown>>;
  /** The errors of the last submission, by block_id (`response_action: errors`). */
  errors: Record<string, string>;
  closed: boolean;
}

export type WorkspaceChange =
  | { type: 'message'; message: SlackMessage }
  | { type: 'edit'; message: SlackMessage }
  | { type: 'delete'; message: SlackMessage }
  | { type: 'ephemeral'; ephemeral: Ephemeral }
  | { type: 'view'; view: SlackView };

/** A Web API error code such as `channel_not_found`, answered as `{ ok: false, error }`. */
export class SlackApiError extends Error {
  constructor(
    readonly code: string,
    /** More fields of the error answer, such as invalid_blocks' `errors`. */
    readonly detail: Record<string, unknown> = {},
  ) {
    super(code);
    this.name = 'SlackApiError';
  }
}

export interface WorkspaceOptions {
  clock?: () => Date;
}

export class SlackWorkspace {
  readonly team = { id: 'T0SANDBOX', domain: 'connect-ops-sandbox', name: 'connect-ops sandbox' };
  readonly bot: SlackUser & { botId: string } = { id: 'U0BOT', botId: 'B0BOT', name: 'connect-ops', realName: 'connect-ops', isBot: true };
  private readonly users = new Map<string, SlackUser>();
  private readonly groups = new Map<string, SlackUserGroup>();
  private readonly channels = new Map<string, SlackChannel>();
  private readonly messages: SlackMessage[] = [];
  private readonly ephemeralMessages: Ephemeral[] = [];
  private readonly views = new Map<string, SlackView>();
  private readonly listeners = new Set<(change: WorkspaceChange) => void>();
  private readonly clock: () => Date;
  private readonly epoch: number;
  private seq = 0;

  constructor(options: WorkspaceOptions = {}) {
    this.clock = options.clock ?? (() => new Date());
    this.epoch = Math.floor(this.clock().getTime() / 1000);
    this.users.set(this.bot.id, this.bot);
  }

  addUser(user: Partial<SlackUser> & { id: string }): SlackUser {
    const name = user.name ?? user.id.toLowerCase();
    const added = { name, realName: user.realName ?? name, isBot: user.isBot ?? false, ...user };
    this.users.set(user.id, added);
    return added;
  }

  addChannel(channel: SlackChannel): SlackChannel {
    this.channels.set(channel.id, channel);
    return channel;
  }

  addUserGroup(group: SlackUserGroup): SlackUserGroup {
    this.groups.set(group.id, group);
    return group;
  }

  user(id: string): SlackUser | undefined {
    return this.users.get(id);
  }

  channel(id: string): SlackChannel | undefined {
    return this.channels.get(id);
  }

  /** Every user, the bot first. */
  allUsers(): SlackUser[] {
    return [...this.users.values()];
  }

  allChannels(): SlackChannel[] {
    return [...this.channels.values()];
  }

  userGroups(): SlackUserGroup[] {
    return [...this.groups.values()];
  }

  userGroup(id: string): SlackUserGroup | undefined {
    return this.groups.get(id);
  }

  post(input: { channel: string; user: string; text: string; blocks?: unknown[]; threadTs?: string | null }): SlackMessage {
    this.requireChannel(input.channel);
    const threadTs = input.threadTs ?? null;
    if (threadTs !== null && !this.find(input.channel, threadTs)) throw new SlackApiError('thread_not_found');
    const message: SlackMessage = {
      channel: input.channel,
      ts: this.nextTs(),
      threadTs,
      user: input.user,
      text: input.text,
      blocks: input.blocks ?? [],
      at: this.clock().toISOString(),
      edits: [],
      deleted: false,
    };
    this.messages.push(message);
    this.emit({ type: 'message', message });
    return message;
  }

  update(input: { channel: string; ts: string; text: string; blocks?: unknown[] }): SlackMessage {
    this.requireChannel(input.channel);
    const message = this.find(input.channel, input.ts);
    if (!message) throw new SlackApiError('message_not_found');
    message.edits.push({ text: message.text, blocks: message.blocks, at: this.clock().toISOString() });
    message.text = input.text;
    message.blocks = input.blocks ?? [];
    this.emit({ type: 'edit', message });
    return message;
  }

  delete(input: { channel: string; ts: string }): SlackMessage {
    const message = this.find(input.channel, input.ts);
    if (!message) throw new SlackApiError('message_not_found');
    message.deleted = true;
    this.emit({ type: 'delete', message });
    return message;
  }

  postEphemeral(input: Omit<Ephemeral, 'at'>): Ephemeral {
    this.requireChannel(input.channel);
    if (!this.users.has(input.user)) throw new SlackApiError('user_not_found');
    const ephemeral = { ...input, at: this.clock().toISOString() };
    this.ephemeralMessages.push(ephemeral);
    this.emit({ type: 'ephemeral', ephemeral });
    return ephemeral;
  }

  /** `views.publish`: the person's App Home tab, replaced whole. */
  publishHome(user: string, view: Record<string, unknown>): SlackView {
    if (!this.users.has(user)) throw new SlackApiError('user_not_found');
    const home = [...this.views.values()].find((v) => v.type === 'home' && v.user === user);
    const published: SlackView = { id: home?.id ?? this.nextViewId(), type: 'home', user, view, hash: this.nextHash(), values: home?.values ?? {}, errors: {}, closed: false };
    this.views.set(published.id, published);
    this.emit({ type: 'view', view: published });
    return published;
  }

  /** `views.open`: a modal on top of whatever the person has open. */
  openModal(user: string, view: Record<string, unknown>): SlackView {
    if (!this.users.has(user)) throw new SlackApiError('user_not_found');
    const modal: SlackView = { id: this.nextViewId(), type: 'modal', user, view, hash: this.nextHash(), values: {}, errors: {}, closed: false };
    this.views.set(modal.id, modal);
    this.emit({ type: 'view', view: modal });
    return modal;
  }

  /** `views.update`: new content for an open view; with a hash, only if nobody changed it since. */
  updateView(id: string, view: Record<string, unknown>, hash?: string): SlackView {
    const current = this.views.get(id);
    if (!current || current.closed) throw new SlackApiError('not_found');
    if (hash !== undefined && hash !== current.hash) throw new SlackApiError('hash_conflict');
    const updated: SlackView = { ...current, view, hash: this.nextHash(), errors: {} };
    this.views.set(id, updated);
    this.emit({ type: 'view', view: updated });
    return updated;
  }

  /** What the person typed or picked in a view, as their client keeps it. */
  setViewValues(id: string, values: Record<string, Record<string, unknown>>): SlackView {
    const current = this.views.get(id);
    if (!current) throw new SlackApiError('not_found');
    current.values = values;
    return current;
  }

  /** A submission the app refused (`response_action: errors`): the modal stays open, showing them. */
  showViewErrors(id: string, errors: Record<string, string>): void {
    const current = this.views.get(id);
    if (!current) return;
    current.errors = errors;
    this.emit({ type: 'view', view: current });
  }

  closeView(id: string): void {
    const current = this.views.get(id);
    if (!current || current.closed) return;
    current.closed = true;
    this.emit({ type: 'view', view: current });
  }

  view(id: string): SlackView | undefined {
    return this.views.get(id);
  }

  /** Every App Home tab and every modal still open. */
  openViews(): SlackView[] {
    return [...this.views.values()].filter((v) => !v.closed);
  }

  /** The person's App Home tab, if the app published one. */
  homeOf(user: string): SlackView | undefined {
    return [...this.views.values()].find((v) => v.type === 'home' && v.user === user);
  }

  /** The modal the person has open (the newest), if any. */
  modalOf(user: string): SlackView | undefined {
    return [...this.views.values()].filter((v) => v.type === 'modal' && v.user === user && !v.closed).at(-1);
  }

  /** A message by channel and ts, thread replies included. */
  message(channel: string, ts: string): SlackMessage | undefined {
    return this.find(channel, ts);
  }

  /** The channel's own messages (not thread replies), oldest first. */
  history(channel: string): SlackMessage[] {
    return this.messages.filter((m) => m.channel === channel && m.threadTs === null && !m.deleted);
  }

  /** Every message not deleted, thread replies included, oldest first. */
  allMessages(): SlackMessage[] {
    return this.messages.filter((m) => !m.deleted);
  }

  /** A thread's replies, oldest first. */
  replies(channel: string, threadTs: string): SlackMessage[] {
    return this.messages.filter((m) => m.channel === channel && m.threadTs === threadTs && !m.deleted);
  }

  ephemerals(filter: { user?: string; channel?: string } = {}): Ephemeral[] {
    return this.ephemeralMessages.filter(
      (e) => (filter.user === undefined || e.user === filter.user) && (filter.channel === undefined || e.channel === filter.channel),
    );
  }

  onChange(listener: (change: WorkspaceChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with the first truthy value `find` returns, checked now and after every change. */
  waitFor<T>(find: () => T | undefined | null | false, timeoutMs = 5000): Promise<T> {
    const found = find();
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`nothing matched in the Slack workspace within ${timeoutMs} ms`));
      }, timeoutMs);
      const stop = this.onChange(() => {
        const value = find();
        if (!value) return;
        clearTimeout(timer);
        stop();
        resolve(value);
      });
    });
  }

  private find(channel: string, ts: string): SlackMessage | undefined {
    return this.messages.find((m) => m.channel === channel && m.ts === ts && !m.deleted);
  }

  private requireChannel(id: string): void {
    if (!this.channels.has(id)) throw new SlackApiError('channel_not_found');
  }

  private nextViewId(): string {
    this.seq += 1;
    return `V0${String(this.seq).padStart(8, '0')}`;
  }

  private nextHash(): string {
    this.seq += 1;
    return `${this.epoch}.${String(this.seq).padStart(8, '0')}`;
  }

  /** Slack's ts: seconds and a six-digit sequence, unique and increasing within a channel. */
  private nextTs(): string {
    this.seq += 1;
    return `${this.epoch + Math.floor(this.seq / 1_000_000)}.${String(this.seq % 1_000_000).padStart(6, '0')}`;
  }

  private emit(change: WorkspaceChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
