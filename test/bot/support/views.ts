import { viewJson, type SlackView, type SlackWorkspace } from '../../../src/sandbox/slack/index.js';
import type { BotHarness } from './harness.js';

/**
 * Playing a person in the bot's views as Slack's client does: what they pick is kept in the view's
 * state, and each pick in an element that dispatches is a `block_actions` carrying that state.
 */

type Entry = Record<string, unknown>;

export const selected = (value: string): Entry => ({ type: 'static_select', selected_option: { text: { type: 'plain_text', text: value }, value } });
export const ticked = (...values: string[]): Entry => ({ type: 'checkboxes', selected_options: values.map((value) => ({ text: { type: 'plain_text', text: value }, value })) });
export const typed = (value: string): Entry => ({ type: 'plain_text_input', value });

/** Waits until the view has changed from `hash` (the bot drew it again). */
export function redrawn(workspace: SlackWorkspace, id: string, hash: string): Promise<SlackView> {
  return workspace.waitFor(() => {
    const view = workspace.view(id);
    return view && view.hash !== hash ? view : undefined;
  });
}

/** Picks a value in the person's open modal and waits for the bot to draw it again. */
export async function pick(h: BotHarness, user: string, blockId: string, actionId: string, entry: Entry): Promise<SlackView> {
  const modal = h.workspace.modalOf(user);
  if (!modal) throw new Error(`${user} has no modal open`);
  h.workspace.setViewValues(modal.id, { ...modal.values, [blockId]: { [actionId]: entry } });
  const delivery = await h.driver.viewAction({ user, view: viewJson(h.workspace, modal), blockId, action: { action_id: actionId, ...entry } });
  if (delivery.status !== 200) throw new Error(`the bot answered ${delivery.status}`);
  return redrawn(h.workspace, modal.id, modal.hash);
}

/** Submits the person's open modal as it stands; the bot's answer body (response_action) is returned. */
export async function submit(h: BotHarness, user: string): Promise<{ status: number; body: string }> {
  const modal = h.workspace.modalOf(user);
  if (!modal) throw new Error(`${user} has no modal open`);
  return h.driver.viewSubmission({ user, view: viewJson(h.workspace, modal) });
}

/** A view's blocks as text, for looking for words in it. */
export const viewText = (view: SlackView | undefined): string => JSON.stringify(view?.view.blocks ?? []);
