import type { types } from '@slack/bolt';
import { LIMITS, truncate } from './limits.js';

/** Block Kit builders: the few shapes the bot's messages are made of. */

export type Block = types.KnownBlock;
export type Button = types.Button;

/** What every view returns: blocks and the notification text shown beside them. */
export interface MessageContent {
  text: string;
  blocks: Block[];
}

export function header(text: string): Block {
  return { type: 'header', text: { type: 'plain_text', text: truncate(text, LIMITS.headerText), emoji: true } };
}

export function section(text: string, accessory?: Button): Block {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, LIMITS.sectionText) }, ...(accessory ? { accessory } : {}) };
}

export function context(...texts: string[]): Block {
  return { type: 'context', elements: texts.slice(0, LIMITS.contextElements).map((text) => ({ type: 'mrkdwn', text: truncate(text, LIMITS.sectionText) })) };
}

export function divider(): Block {
  return { type: 'divider' };
}

export function actions(blockId: string, buttons: Button[]): Block {
  return { type: 'actions', block_id: blockId, elements: buttons };
}

export interface ButtonSpec {
  actionId: string;
  text: string;
  value: string;
  style?: 'primary' | 'danger';
  /** A confirm dialog: the click only counts after the user confirms. */
  confirm?: { title: string; text: string; confirm: string; deny?: string };
}

export function button(spec: ButtonSpec): Button {
  return {
    type: 'button',
    action_id: spec.actionId,
    text: { type: 'plain_text', text: truncate(spec.text, LIMITS.buttonText), emoji: true },
    value: spec.value,
    ...(spec.style ? { style: spec.style } : {}),
    ...(spec.confirm
      ? {
          confirm: {
            title: { type: 'plain_text', text: truncate(spec.confirm.title, 100) },
            text: { type: 'mrkdwn', text: truncate(spec.confirm.text, 300) },
            confirm: { type: 'plain_text', text: truncate(spec.confirm.confirm, 30) },
            deny: { type: 'plain_text', text: truncate(spec.confirm.deny ?? 'Cancel', 30) },
          },
        }
      : {}),
  };
}
