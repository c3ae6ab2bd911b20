import type { Policy } from '../config.js';
import type { Logger } from '../log.js';
import type { Engine } from '../ops/engine/types.js';
import type { ButtonValue } from './actions/button-values.js';
import type { AccessPolicy } from './policy.js';
import type { BotPorts } from './ports.js';
import type { RunMessages } from './run-messages.js';
import type { MessageContent } from './views/blocks.js';

/** What every command and button handler works with. */
export interface BotContext {
  /** Bound lazily: the engine is created after the bot, with the bot's observer. */
  engine(): Engine;
  access: AccessPolicy;
  policy: Policy;
  ports: BotPorts;
  runMessages: RunMessages;
  logger: Logger;
  clock: () => Date;
}

/** Who asked (the user ID of the verified request), where, and how to answer them privately. */
export interface Invocation {
  userId: string;
  channelId: string;
  /** An ephemeral answer only the user sees. */
  reply(message: string | MessageContent): Promise<void>;
}

/** A button click: the invocation plus the button's value and the message it is on. */
export interface Click extends Invocation {
  value: ButtonValue;
  /** Replaces the message the button is on (a thread reply whose button has served). */
  replaceMessage(message: MessageContent): Promise<void>;
}
