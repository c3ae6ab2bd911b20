import type { webApi } from '@slack/bolt';
import type { Logger } from '../log.js';

/**
 * Slack user groups (`@dba-leads`) as the policy file names them, resolved through the Web API
 * (`usergroups.list`, `usergroups.users.list`, scope `usergroups:read`) and cached for a while:
 * membership is checked on every click, and Slack rate-limits these methods.
 */
export interface UserGroupDirectory {
  /** The user IDs in the group with this handle (no `@`); undefined when it cannot be resolved. */
  members(handle: string): Promise<readonly string[] | undefined>;
  /** Group IDs by handle, for `<!subteam^ID>` mentions. */
  ids(): Promise<ReadonlyMap<string, string>>;
}

export interface UserGroupOptions {
  ttlMs?: number;
  clock?: () => Date;
  logger: Logger;
}

const DEFAULT_TTL_MS = 5 * 60_000;

export function slackUserGroups(client: webApi.WebClient, options: UserGroupOptions): UserGroupDirectory {
  const ttl = options.ttlMs ?? DEFAULT_TTL_MS;
  const clock = options.clock ?? (() => new Date());
  const now = () => clock().getTime();
  const cache = new Map<string, { expires: number; value: Promise<unknown> }>();

  /** One lookup per key and TTL, shared by concurrent callers; failures are not cached. */
  function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = cache.get(key);
    if (hit && hit.expires > now()) return hit.value as Promise<T>;
    const value = load().catch((error: unknown) => {
      cache.delete(key);
      throw error;
    });
    cache.set(key, { expires: now() + ttl, value });
    return value;
  }

  const ids = () =>
    cached('usergroups.list', async () => {
      const answer = await client.usergroups.list({ include_disabled: false });
      return new Map((answer.usergroups ?? []).flatMap((g) => (g.handle && g.id ? [[g.handle, g.id] as const] : [])));
    });

  return {
    async ids() {
      try {
        return await ids();
      } catch (error) {
        options.logger.warn({ err: error }, 'could not list Slack user groups');
        return new Map();
      }
    },
    async members(handle) {
      try {
        const id = (await ids()).get(handle);
        if (!id) return undefined;
        return await cached(`members:${id}`, async () => (await client.usergroups.users.list({ usergroup: id })).users ?? []);
      } catch (error) {
        options.logger.warn({ err: error, handle }, 'could not resolve a Slack user group; its members are refused until it resolves');
        return undefined;
      }
    },
  };
}
