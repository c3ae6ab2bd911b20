import type { MaintenanceNotice } from '../../../src/status/notice.js';
import type { MaintenanceNotifier, MessageRef } from '../../../src/status/notifier.js';

/** A notifier that remembers everything it was told, in order, as a Slack channel would show it. */
export class RecordingNotifier implements MaintenanceNotifier {
  readonly posts: Array<{ channel: string; notice: MaintenanceNotice; ref: MessageRef }> = [];
  readonly updates: Array<{ ref: MessageRef; notice: MaintenanceNotice }> = [];
  readonly replies: Array<{ ref: MessageRef; text: string }> = [];
  /** While set, every call fails as Slack would when it is down. */
  failing = false;
  private ts = 0;

  async postNotice(channel: string, notice: MaintenanceNotice): Promise<MessageRef> {
    this.check();
    const ref = { channel, ts: `1700000000.${String(++this.ts).padStart(6, '0')}` };
    this.posts.push({ channel, notice, ref });
    return ref;
  }

  async updateNotice(ref: MessageRef, notice: MaintenanceNotice): Promise<void> {
    this.check();
    this.updates.push({ ref, notice });
  }

  async replyInThread(ref: MessageRef, text: string): Promise<void> {
    this.check();
    this.replies.push({ ref, text });
  }

  /** Replies in a channel, in order. */
  repliesIn(channel: string): string[] {
    return this.replies.filter((r) => r.ref.channel === channel).map((r) => r.text);
  }

  private check(): void {
    if (this.failing) throw new Error('Slack is unavailable');
  }
}
