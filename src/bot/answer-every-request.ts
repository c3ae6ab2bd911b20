import type { AckFn, App } from '@slack/bolt';
import type { Logger } from '../log.js';
import { slackRequestProblem } from './request-shape.js';

/**
 * Every request Slack sends is acknowledged at once, whether or not a listener handles it: an
 * unknown button, a shortcut, a view submission or an event nobody listens to is acked (and
 * ignored) instead of answered 404 after Bolt's 3 seconds. Listeners registered for them, by this
 * issue or a later one, answer first: the fallback only acks what no listener acked.
 */

type ProcessEvent = App['processEvent'];
type ReceiverEvent = Parameters<ProcessEvent>[0];

export function answerEveryRequest(app: App, logger: Logger): void {
  const processEvent: ProcessEvent = app.processEvent.bind(app);
  app.processEvent = async (event: ReceiverEvent) => {
    let acked = false;
    const ack: AckFn<unknown> = async (response) => {
      acked = true;
      await event.ack(response);
    };
    try {
      // In Socket Mode nothing stands before Bolt: the shape is checked here as well.
      const problem = slackRequestProblem(event.body);
      if (problem) logger.warn({ problem }, 'ignored a Slack request Bolt could not read');
      else await processEvent({ ...event, ack });
    } catch (error) {
      logger.error({ err: error }, 'a Slack request failed before it was answered');
    } finally {
      if (!acked) {
        logger.info(describe(event.body), 'acknowledged a Slack request no listener handles');
        await ack(fallbackAnswer(event.body)).catch((error: unknown) => logger.warn({ err: error }, 'could not acknowledge a Slack request'));
      }
    }
  };
}

/** What Slack shows for a request nothing handles: a note for a slash command, nothing otherwise. */
function fallbackAnswer(body: unknown): unknown {
  const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (typeof fields.command === 'string') return { response_type: 'ephemeral', text: 'connect-ops answers `/connect` only. Try `/connect help`.' };
  if (fields.type === 'block_suggestion') return { options: [] };
  return undefined;
}

function describe(body: unknown): Record<string, unknown> {
  const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const action = Array.isArray(fields.actions) ? (fields.actions[0] as Record<string, unknown> | undefined) : undefined;
  const event = typeof fields.event === 'object' && fields.event !== null ? (fields.event as Record<string, unknown>) : undefined;
  return {
    type: fields.type ?? (fields.command ? 'slash_command' : undefined),
    command: fields.command,
    actionId: action?.action_id,
    callbackId: fields.callback_id ?? (fields.view as Record<string, unknown> | undefined)?.callback_id,
    event: event?.type,
  };
}
