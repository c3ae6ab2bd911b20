import type { webApi } from '@slack/bolt';
import type { Digest, HealthNotifier, Incident, VersionNotifier, VersionWarning } from '../status/health/index.js';
import type { MessageRef } from '../status/notifier.js';
import { digestView, incidentReplyView, incidentView, versionWarningView } from './views/health.js';
import type { MessageContent } from './views/blocks.js';

/**
 * The health watcher's and the version radar's ports, in Slack: they claim and store what is
 * told; this only renders and talks to Slack.
 */
export class SlackHealthNotifier implements HealthNotifier, VersionNotifier {
  constructor(private readonly client: webApi.WebClient) {}

  postIncident(channel: string, incident: Incident): Promise<MessageRef> {
    return this.post(channel, incidentView(incident));
  }

  async updateIncident(ref: MessageRef, incident: Incident): Promise<void> {
    const content = incidentView(incident);
    await this.client.chat.update({ channel: ref.channel, ts: ref.ts, text: content.text, blocks: content.blocks });
  }

  async replyToIncident(ref: MessageRef, incident: Incident, fresh: string[]): Promise<void> {
    const content = incidentReplyView(incident, fresh);
    await this.client.chat.postMessage({ channel: ref.channel, thread_ts: ref.ts, text: content.text, blocks: content.blocks });
  }

  postDigest(channel: string, digest: Digest): Promise<MessageRef> {
    return this.post(channel, digestView(digest));
  }

  postVersionWarning(channel: string, warning: VersionWarning): Promise<MessageRef> {
    return this.post(channel, versionWarningView(warning));
  }

  private async post(channel: string, content: MessageContent): Promise<MessageRef> {
    const posted = await this.client.chat.postMessage({ channel, text: content.text, blocks: content.blocks });
    if (!posted.ts) throw new Error('chat.postMessage answered without a ts');
    return { channel, ts: posted.ts };
  }
}
