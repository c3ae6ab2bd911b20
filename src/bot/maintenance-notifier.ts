import type { webApi } from '@slack/bolt';
import type { MaintenanceNotice } from '../status/notice.js';
import type { MaintenanceNotifier, MessageRef } from '../status/notifier.js';
import { escape } from './views/format.js';
import { maintenanceNoticeView } from './views/maintenance.js';

/**
 * The maintenance watcher's port, in Slack: a notice is a root message (Block Kit, with the
 * watcher's summary as its notification text) edited as the notice changes, and the watcher's
 * replies go in its thread. The watcher claims and stores the refs; this only talks to Slack.
 */
export class SlackMaintenanceNotifier implements MaintenanceNotifier {
  constructor(private readonly client: webApi.WebClient) {}

  async postNotice(channel: string, notice: MaintenanceNotice): Promise<MessageRef> {
    const content = maintenanceNoticeView(notice);
    const posted = await this.client.chat.postMessage({ channel, text: content.text, blocks: content.blocks });
    if (!posted.ts) throw new Error('chat.postMessage answered without a ts');
    return { channel, ts: posted.ts };
  }

  async updateNotice(ref: MessageRef, notice: MaintenanceNotice): Promise<void> {
    const content = maintenanceNoticeView(notice);
    await this.client.chat.update({ channel: ref.channel, ts: ref.ts, text: content.text, blocks: content.blocks });
  }

  async replyInThread(ref: MessageRef, text: string): Promise<void> {
    await this.client.chat.postMessage({ channel: ref.channel, thread_ts: ref.ts, text: escape(text) });
  }
}
