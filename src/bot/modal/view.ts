import type { types } from '@slack/bolt';
import { context, section, type Block } from '../views/blocks.js';
import { code, escape } from '../views/format.js';
import { truncate } from '../views/limits.js';
import { commandDescription, MODAL_RUNBOOKS, runbookParameters, type RunbookParameter } from './parameters.js';

/**
 * The runbook form: an app, a runbook, its parameters with their choices read live (plans,
 * versions, mappings, fields), and the plan it makes, re-rendered as the person picks. Submitting
 * starts the run through the normal plan and approvals.
 */

export const MODAL_CALLBACK = 'runbook_modal';
export const MODAL_ACTION_PREFIX = 'modal_';
export const APP_BLOCK = 'app';
export const RUNBOOK_BLOCK = 'runbook';
export const paramBlock = (key: string): string => `param_${key}`;
/** A static_select cannot be emptied: this option stands for "not given". */
export const NONE = '-';

/** Every action_id the form's elements have: registered one by one, so no other request is taken for the form's. */
export function modalActionIds(): string[] {
  const keys = new Set(MODAL_RUNBOOKS.flatMap((runbook) => runbookParameters(runbook).map((p) => p.key)));
  return [`${MODAL_ACTION_PREFIX}app`, `${MODAL_ACTION_PREFIX}runbook`, ...[...keys].map((key) => `${MODAL_ACTION_PREFIX}param_${key}`)];
}

/** Carried in `private_metadata`: what was picked, and where the form was opened from. */
export interface ModalState {
  app?: string;
  /** The runbook command (`upgrade`); `--via` picks among its runbooks. */
  runbook?: string;
  /** The channel `/connect` was typed in, if it was. */
  channel?: string;
}

export type ParameterValue = string | string[] | boolean | undefined;

/** The choices read live for the picked app. */
export interface ModalChoices {
  apps: string[];
  plans?: readonly string[];
  versions?: readonly string[];
  mappings?: readonly string[];
  /** Mapped fields per object. */
  fields?: Readonly<Record<string, readonly string[]>>;
  /** Why the live choices are missing (Heroku could not be read). */
  problem?: string;
}

export interface ModalInput {
  state: ModalState;
  values: Readonly<Record<string, ParameterValue>>;
  choices: ModalChoices;
  /** The plan's blocks when the values make one, else why not (or null before app and runbook are picked). */
  plan: { blocks: Block[] } | { problem: string } | null;
}

const plain = (text: string) => ({ type: 'plain_text' as const, text: truncate(text, 75), emoji: true });
const option = (text: string, value: string) => ({ text: plain(text), value: truncate(value, 150) });

function select(actionId: string, placeholder: string, options: Array<{ text: string; value: string }>, initial: string | undefined): types.StaticSelect {
  const shown = options.slice(0, 100).map((o) => option(o.text, o.value));
  const selected = shown.find((o) => o.value === initial);
  return { type: 'static_select', action_id: actionId, placeholder: plain(placeholder), options: shown, ...(selected ? { initial_option: selected } : {}) };
}

function textInput(actionId: string, placeholder: string, initial: string | undefined): types.PlainTextInput {
  return { type: 'plain_text_input', action_id: actionId, placeholder: plain(placeholder), ...(initial ? { initial_value: initial } : {}) };
}

function input(blockId: string, label: string, element: types.InputBlock['element'], options: { optional?: boolean; hint?: string; dispatch?: boolean } = {}): types.InputBlock {
  return {
    type: 'input',
    block_id: blockId,
    label: { type: 'plain_text', text: truncate(label, 2000) },
    element,
    optional: Boolean(options.optional),
    ...(options.dispatch ? { dispatch_action: true } : {}),
    ...(options.hint ? { hint: { type: 'plain_text', text: truncate(options.hint, 2000) } } : {}),
  };
}

/** The choices a parameter offers with the values picked so far; undefined when it is typed. */
function choicesOf(parameter: RunbookParameter, choices: ModalChoices, values: ModalInput['values']): readonly string[] | undefined {
  switch (parameter.kind) {
    case 'plan':
      return choices.plans;
    case 'version':
      return choices.versions;
    case 'mapping':
    case 'mappings':
      return choices.mappings;
    case 'field': {
      const object = values.object;
      return typeof object === 'string' ? choices.fields?.[object] : undefined;
    }
    case 'choice':
      return parameter.choices;
    default:
      return undefined;
  }
}

/** What the form adds to a parameter's own description. */
const HINTS: Partial<Record<string, string>> = {
  fields: 'Separate the names with spaces.',
  mappings: 'None ticked: every mapping.',
};

function parameterBlock(parameter: RunbookParameter, input_: ModalInput): types.InputBlock {
  const actionId = `${MODAL_ACTION_PREFIX}param_${parameter.key}`;
  const value = input_.values[parameter.key];
  const label = parameter.flag ? parameter.flag.replace(/^--/, '').replace(/-/g, ' ') : parameter.label.replace('…', '').toLowerCase();
  const title = `${label[0]?.toUpperCase() ?? ''}${label.slice(1)}`;
  const hint = [parameter.description, HINTS[parameter.key]].filter(Boolean).join(' ');
  if (parameter.kind === 'flag') {
    const yes = option(`Yes (${parameter.flag ?? parameter.key})`, 'yes');
    return input(paramBlock(parameter.key), title, { type: 'checkboxes', action_id: actionId, options: [yes], ...(value === true ? { initial_options: [yes] } : {}) }, { optional: true, hint, dispatch: true });
  }
  const choices = choicesOf(parameter, input_.choices, input_.values);
  if (parameter.kind === 'mappings' && choices && choices.length > 0 && choices.length <= 10) {
    const options = choices.map((c) => option(c, c));
    const picked = Array.isArray(value) ? options.filter((o) => value.includes(o.value)) : [];
    return input(paramBlock(parameter.key), title, { type: 'checkboxes', action_id: actionId, options, ...(picked.length > 0 ? { initial_options: picked } : {}) }, { optional: true, hint, dispatch: true });
  }
  if (choices && choices.length > 0 && parameter.kind !== 'mappings') {
    const options = [...(parameter.optional ? [{ text: parameter.kind === 'version' ? 'The newest' : 'Not given', value: NONE }] : []), ...choices.map((c) => ({ text: c, value: c }))];
    return input(paramBlock(parameter.key), title, select(actionId, `Pick ${label}`, options, typeof value === 'string' ? value : undefined), {
      optional: parameter.optional,
      hint,
      dispatch: true,
    });
  }
  const typed = Array.isArray(value) ? value.join(' ') : typeof value === 'string' ? value : undefined;
  return input(paramBlock(parameter.key), title, textInput(actionId, parameter.label, typed), { optional: parameter.optional, hint, dispatch: true });
}

export function runbookModal(input_: ModalInput): types.ModalView {
  const { state, choices } = input_;
  const blocks: Block[] = [
    input(APP_BLOCK, 'App', select(`${MODAL_ACTION_PREFIX}app`, 'Pick an app', choices.apps.map((a) => ({ text: a, value: a })), state.app), { dispatch: true }),
    input(RUNBOOK_BLOCK, 'Runbook', select(`${MODAL_ACTION_PREFIX}runbook`, 'Pick a runbook', MODAL_RUNBOOKS.map((r) => ({ text: r, value: r })), state.runbook), { dispatch: true }),
  ];
  const described = state.runbook ? commandDescription(state.runbook) : undefined;
  if (described) blocks.push(context(`${code(described.usage, 200)} · ${escape(described.summary)}`));
  if (choices.problem) blocks.push(section(`:warning: Could not read the live choices from Heroku: ${escape(choices.problem)}. Type the values instead.`));
  if (state.app && state.runbook) for (const parameter of runbookParameters(state.runbook)) blocks.push(parameterBlock(parameter, input_));
  const plan = input_.plan;
  if (plan && 'blocks' in plan) blocks.push(...plan.blocks);
  else blocks.push(section(plan ? `:information_source: ${plan.problem}` : 'Pick an app and a runbook to see its plan.'));
  return {
    type: 'modal',
    callback_id: MODAL_CALLBACK,
    title: { type: 'plain_text', text: 'Run a runbook' },
    submit: { type: 'plain_text', text: 'Start' },
    close: { type: 'plain_text', text: 'Cancel' },
    private_metadata: JSON.stringify(state),
    blocks: blocks.slice(0, 100),
  };
}
