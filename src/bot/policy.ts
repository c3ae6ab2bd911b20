import type { AppPolicy, Policy } from '../config.js';
import { mentions } from './views/format.js';
import type { UserGroupDirectory } from './user-groups.js';

/**
 * Who may do what, from the policy file: operators start, cancel and confirm; approvers approve,
 * reject and override maintenance holds; operators, approvers and the app's `readers` read it
 * (status, plan, runs) in its channel or its `read_channels`, and `maintenance` in those or the
 * maintenance channels. Identity is always the Slack user ID of the verified
 * request, never a display name. Rules the engine enforces itself (distinct approvers, no
 * self-approval, expiry, plan changes) are not repeated here.
 */

export type RefusalReason = 'unknown_app' | 'not_operator' | 'not_approver' | 'not_reader' | 'wrong_channel' | 'stranger';

export type Access = { ok: true } | { ok: false; reason: RefusalReason; message: string };

const ALLOWED: Access = { ok: true };

export class AccessPolicy {
  constructor(
    private readonly policy: Policy,
    private readonly groups: UserGroupDirectory,
  ) {}

  apps(): string[] {
    return Object.keys(this.policy.apps);
  }

  app(app: string): AppPolicy | undefined {
    return this.policy.apps[app];
  }

  /** Starting a run: an operator of the app, in the app's channel. */
  async mayStart(userId: string, app: string, channelId: string): Promise<Access> {
    const own = this.app(app);
    if (!own) return unknownApp(app);
    if (!(await this.isAmong(userId, own.operators))) return this.refuse('not_operator', app, own.operators, 'start its runs');
    if (channelId !== own.channel) {
      return { ok: false, reason: 'wrong_channel', message: `Runs of \`${app}\` start from its channel, <#${own.channel}>.` };
    }
    return ALLOWED;
  }

  /** Cancelling, confirming a manual step, rolling back: an operator of the app. */
  async mayOperate(userId: string, app: string, doing: string): Promise<Access> {
    const own = this.app(app);
    if (!own) return unknownApp(app);
    return (await this.isAmong(userId, own.operators)) ? ALLOWED : this.refuse('not_operator', app, own.operators, doing);
  }

  /** Approving, rejecting, overriding a maintenance hold: an approver of the app. */
  async mayDecide(userId: string, app: string, doing: string): Promise<Access> {
    const own = this.app(app);
    if (!own) return unknownApp(app);
    return (await this.isAmong(userId, own.approvers)) ? ALLOWED : this.refuse('not_approver', app, own.approvers, doing);
  }

  /** Anyone the policy names, for any app: people it names nowhere get nothing but `help`. */
  async isKnown(userId: string): Promise<boolean> {
    for (const own of Object.values(this.policy.apps)) if (await this.isAmong(userId, readersOf(own))) return true;
    return false;
  }

  /** Reading an app (status, plan, runs): its operators, approvers and readers, in its channel or read channels. */
  async mayRead(userId: string, app: string, channelId: string, doing: string): Promise<Access> {
    const own = this.app(app);
    if (!own) return unknownApp(app);
    if (!(await this.isAmong(userId, readersOf(own)))) {
      return { ok: false, reason: 'not_reader', message: `Only the operators, approvers and readers of \`${app}\` may ${doing}.` };
    }
    const channels = [own.channel, ...own.read_channels];
    if (!channels.includes(channelId)) {
      return { ok: false, reason: 'wrong_channel', message: `Ask about \`${app}\` in ${channels.map((c) => `<#${c}>`).join(' or ')}: it is answered there only.` };
    }
    return ALLOWED;
  }

  /** The apps `userId` may read from `channelId`, for `/connect runs` without an app. */
  async readableApps(userId: string, channelId: string): Promise<string[]> {
    const apps: string[] = [];
    for (const app of this.apps()) if ((await this.mayRead(userId, app, channelId, 'read')).ok) apps.push(app);
    return apps;
  }

  /** `/connect maintenance`: anyone who may read an app, in one of its channels or a maintenance channel. */
  async mayReadMaintenance(userId: string, channelId: string): Promise<Access> {
    const channels = new Set(this.policy.maintenance.channels);
    let reader = false;
    for (const own of Object.values(this.policy.apps)) {
      if (!(await this.isAmong(userId, readersOf(own)))) continue;
      reader = true;
      for (const channel of [own.channel, ...own.read_channels]) channels.add(channel);
    }
    if (!reader) return stranger();
    if (channels.has(channelId)) return ALLOWED;
    return { ok: false, reason: 'wrong_channel', message: `Maintenance windows are listed in ${[...channels].map((c) => `<#${c}>`).join(', ')}.` };
  }

  /** The apps a person operates, approves and may read, for their App Home. */
  async rolesOf(userId: string): Promise<{ operatorOf: string[]; approverOf: string[]; readerOf: string[] }> {
    const operatorOf: string[] = [];
    const approverOf: string[] = [];
    const readerOf: string[] = [];
    for (const [app, own] of Object.entries(this.policy.apps)) {
      if (await this.isAmong(userId, own.operators)) operatorOf.push(app);
      if (await this.isAmong(userId, own.approvers)) approverOf.push(app);
      if (await this.isAmong(userId, readersOf(own))) readerOf.push(app);
    }
    return { operatorOf, approverOf, readerOf };
  }

  /** The app's approvers as Slack mentions (`<@U…>`, `<!subteam^S…|@handle>`). */
  async approverMentions(app: string): Promise<string> {
    return mentions(this.app(app)?.approvers ?? [], await this.groups.ids());
  }

  private async isAmong(userId: string, principals: readonly string[]): Promise<boolean> {
    if (principals.includes(userId)) return true;
    for (const principal of principals) {
      if (!principal.startsWith('@')) continue;
      const members = await this.groups.members(principal.slice(1));
      if (members?.includes(userId)) return true;
    }
    return false;
  }

  private async refuse(reason: RefusalReason, app: string, principals: readonly string[], doing: string): Promise<Access> {
    const role = reason === 'not_approver' ? 'approvers' : 'operators';
    return { ok: false, reason, message: `Only the ${role} of \`${app}\` may ${doing}: ${mentions(principals, await this.groups.ids())}.` };
  }
}

function unknownApp(app: string): Access {
  return { ok: false, reason: 'unknown_app', message: `connect-ops does not manage \`${app}\`: name it under \`apps:\` in the policy file.` };
}

function readersOf(own: AppPolicy): string[] {
  return [...own.operators, ...own.approvers, ...own.readers];
}

/** Said to someone the policy names nowhere; it costs no Heroku call. */
export function stranger(): Extract<Access, { ok: false }> {
  return {
    ok: false,
    reason: 'stranger',
    message: 'connect-ops answers the operators, approvers and readers its policy names, and you are not among them. Ask whoever runs connect-ops to add you under an app’s `readers:`.',
  };
}
