import type { AppPolicy, Policy } from '../config.js';
import { mentions } from './views/format.js';
import type { UserGroupDirectory } from './user-groups.js';

/**
 * Who may do what, from the policy file: operators start, cancel and confirm; approvers approve,
 * reject and override maintenance holds. Identity is always the Slack user ID of the verified
 * request, never a display name. Rules the engine enforces itself (distinct approvers, no
 * self-approval, expiry, plan changes) are not repeated here.
 */

export type RefusalReason = 'unknown_app' | 'not_operator' | 'not_approver' | 'wrong_channel';

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
