import type { MaintenanceNotice } from './notice.js';

/** Where a notice's root message lives, so it can be edited and threaded under. */
export interface MessageRef {
  channel: string;
  ts: string;
}

/**
 * The watcher's only way to speak. The bot implements it with Slack (rendering Block Kit from the
 * structured notice); tests record what it is told. The reply texts are in messages.ts.
 */
export interface MaintenanceNotifier {
  /** Posts the root message of a notice in a channel. */
  postNotice(channel: string, notice: MaintenanceNotice): Promise<MessageRef>;
  /** Re-renders the root message after the notice changed. */
  updateNotice(ref: MessageRef, notice: MaintenanceNotice): Promise<void>;
  replyInThread(ref: MessageRef, text: string): Promise<void>;
}
