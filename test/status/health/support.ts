import { policySchema, type HealthPolicy } from '../../../src/config.js';
import type { Incident } from '../../../src/status/health/incident.js';
import type { Digest, HealthNotifier } from '../../../src/status/health/notifier.js';
import type { MessageRef } from '../../../src/status/notifier.js';

/** A notifier that remembers every message and edit, as a Slack channel shows them. */
export class RecordingHealthNotifier implements HealthNotifier {
  readonly posts: Array<{ channel: string; incident: Incident; ref: MessageRef }> = [];
  readonly updates: Array<{ ref: MessageRef; incident: Incident }> = [];
  readonly digests: Array<{ channel: string; digest: Digest }> = [];
  failing = false;
  private ts = 0;

  async postIncident(channel: string, incident: Incident): Promise<MessageRef> {
    this.check();
    const ref = { channel, ts: `1700000000.${String(++this.ts).padStart(6, '0')}` };
    this.posts.push({ channel, incident, ref });
    return ref;
  }

  async updateIncident(ref: MessageRef, incident: Incident): Promise<void> {
    this.check();
    this.updates.push({ ref, incident });
  }

  readonly replies: Array<{ ref: MessageRef; incident: Incident; fresh: string[] }> = [];

  async replyToIncident(ref: MessageRef, incident: Incident, fresh: string[]): Promise<void> {
    this.check();
    this.replies.push({ ref, incident, fresh });
  }

  async postDigest(channel: string, digest: Digest): Promise<MessageRef> {
    this.check();
    this.digests.push({ channel, digest });
    return { channel, ts: `1700000000.${String(++this.ts).padStart(6, '0')}` };
  }

  /** Posts of one kind. */
  posted(kind: Incident['kind']): Array<{ channel: string; incident: Incident; ref: MessageRef }> {
    return this.posts.filter((p) => p.incident.kind === kind);
  }

  /** The edits of one message, in order. */
  editsOf(ref: MessageRef): Incident[] {
    return this.updates.filter((u) => u.ref.ts === ref.ts && u.ref.channel === ref.channel).map((u) => u.incident);
  }

  private check(): void {
    if (this.failing) throw new Error('Slack is unavailable');
  }
}

/** The policy's health section as the policy file would give it. */
export function healthPolicy(health: Record<string, unknown> = {}): HealthPolicy {
  return policySchema.parse({ health }).health;
}
