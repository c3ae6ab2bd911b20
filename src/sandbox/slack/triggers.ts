import { randomBytes } from 'node:crypto';
import { SlackApiError } from './workspace.js';

/**
 * Slack's trigger_id: sent with each slash command, shortcut and click, it lets the app open a
 * modal for that person within 3 seconds. The stand-in's carry when and for whom they were made
 * (`<ms>.<user>.<random>`), so a driver in another process mints ones the stand-in understands.
 */

const LIFETIME_MS = 3000;

export function newTriggerId(user: string, now = Date.now()): string {
  return `${now}.${user}.${randomBytes(8).toString('hex')}`;
}

/** The person a trigger_id was made for; `expired_trigger_id` after 3 seconds, `invalid_trigger_id` when it is not one. */
export function triggerUser(triggerId: string, now = Date.now()): string {
  const match = /^(\d+)\.([A-Z0-9]+)\.[0-9a-f]+$/.exec(triggerId);
  if (!match) throw new SlackApiError('invalid_trigger_id');
  if (now - Number(match[1]) > LIFETIME_MS) throw new SlackApiError('expired_trigger_id');
  return match[2] ?? '';
}
