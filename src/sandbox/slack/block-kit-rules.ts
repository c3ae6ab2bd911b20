/**
 * The Block Kit limits Slack enforces on chat.postMessage and chat.update, so the stand-in refuses
 * with `invalid_blocks` what Slack would refuse instead of letting a test pass on a message that
 * real Slack rejects. Only the block and element types the bot uses are checked in depth.
 */

export const BLOCK_KIT = {
  blocksPerMessage: 50,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  blockId: 255,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  messageText: 40000,
  blocksPerView: 100,
  viewTitle: 24,
  viewButton: 24,
  callbackId: 255,
  privateMetadata: 3000,
  inputLabel: 2000,
  placeholder: 150,
  selectOptions: 100,
  checkboxOptions: 10,
  optionText: 75,
  optionValue: 150,
  plainTextInput: 3000,
} as const;

/** Where blocks are shown: input blocks belong to views. */
export type Surface = 'message' | 'home' | 'modal';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every violation, as `blocks[3].text: longer than 3000 characters`; empty when Slack would accept. */
export function blockKitViolations(blocks: unknown, surface: Surface = 'message'): string[] {
  if (blocks === undefined) return [];
  if (!Array.isArray(blocks)) return ['blocks: must be an array'];
  const problems: string[] = [];
  const most = surface === 'message' ? BLOCK_KIT.blocksPerMessage : BLOCK_KIT.blocksPerView;
  if (blocks.length > most) problems.push(`blocks: ${blocks.length} blocks, more than ${most}`);
  const blockIds = new Set<string>();
  blocks.forEach((block, i) => {
    const at = `blocks[${i}]`;
    if (!isObject(block)) return void problems.push(`${at}: must be an object`);
    if (typeof block.block_id === 'string') {
      if (blockIds.has(block.block_id)) problems.push(`${at}.block_id: duplicate ${block.block_id}`);
      blockIds.add(block.block_id);
      maxLength(problems, `${at}.block_id`, block.block_id, BLOCK_KIT.blockId);
    }
    switch (block.type) {
      case 'section':
        if (block.text === undefined && block.fields === undefined) problems.push(`${at}: a section needs text or fields`);
        if (block.text !== undefined) textObject(problems, `${at}.text`, block.text, BLOCK_KIT.sectionText);
        if (block.fields !== undefined) {
          if (!Array.isArray(block.fields) || block.fields.length > BLOCK_KIT.sectionFields) {
            problems.push(`${at}.fields: at most ${BLOCK_KIT.sectionFields}`);
          } else {
            block.fields.forEach((f, j) => textObject(problems, `${at}.fields[${j}]`, f, BLOCK_KIT.fieldText));
          }
        }
        if (block.accessory !== undefined) element(problems, `${at}.accessory`, block.accessory);
        break;
      case 'header':
        textObject(problems, `${at}.text`, block.text, BLOCK_KIT.headerText, 'plain_text');
        break;
      case 'context':
        if (!Array.isArray(block.elements) || block.elements.length === 0 || block.elements.length > BLOCK_KIT.contextElements) {
          problems.push(`${at}.elements: 1 to ${BLOCK_KIT.contextElements} elements`);
        } else {
          block.elements.forEach((e, j) => textObject(problems, `${at}.elements[${j}]`, e, BLOCK_KIT.sectionText));
        }
        break;
      case 'actions': {
        if (!Array.isArray(block.elements) || block.elements.length === 0 || block.elements.length > BLOCK_KIT.actionsElements) {
          problems.push(`${at}.elements: 1 to ${BLOCK_KIT.actionsElements} elements`);
          break;
        }
        const actionIds = new Set<string>();
        block.elements.forEach((e, j) => {
          element(problems, `${at}.elements[${j}]`, e);
          if (isObject(e) && typeof e.action_id === 'string') {
            if (actionIds.has(e.action_id)) problems.push(`${at}.elements[${j}].action_id: duplicate ${e.action_id}`);
            actionIds.add(e.action_id);
          }
        });
        break;
      }
      case 'divider':
        break;
      case 'input':
        if (surface === 'message') problems.push(`${at}: input blocks are for views (modals and App Home) here`);
        textObject(problems, `${at}.label`, block.label, BLOCK_KIT.inputLabel, 'plain_text');
        if (block.hint !== undefined) textObject(problems, `${at}.hint`, block.hint, BLOCK_KIT.inputLabel, 'plain_text');
        if (typeof block.block_id !== 'string') problems.push(`${at}.block_id: an input block needs one to find its value`);
        element(problems, `${at}.element`, block.element);
        break;
      default:
        problems.push(`${at}.type: ${String(block.type)} is not checked by the stand-in`);
    }
  });
  return problems;
}

function textObject(problems: string[], at: string, value: unknown, max: number, only?: 'plain_text'): void {
  if (!isObject(value) || (value.type !== 'plain_text' && value.type !== 'mrkdwn') || typeof value.text !== 'string') {
    return void problems.push(`${at}: must be a plain_text or mrkdwn text object`);
  }
  if (only && value.type !== only) problems.push(`${at}: must be ${only}`);
  if (value.text.length === 0) problems.push(`${at}: must not be empty`);
  maxLength(problems, at, value.text, max);
}

function element(problems: string[], at: string, value: unknown): void {
  if (!isObject(value)) return void problems.push(`${at}: must be an object`);
  if (typeof value.action_id === 'string') maxLength(problems, `${at}.action_id`, value.action_id, BLOCK_KIT.actionId);
  if (value.type === 'static_select' || value.type === 'checkboxes') return choiceElement(problems, at, value);
  if (value.type === 'plain_text_input') {
    if (value.placeholder !== undefined) textObject(problems, `${at}.placeholder`, value.placeholder, BLOCK_KIT.placeholder, 'plain_text');
    if (value.initial_value !== undefined && (typeof value.initial_value !== 'string' || value.initial_value.length > BLOCK_KIT.plainTextInput)) {
      problems.push(`${at}.initial_value: a string of at most ${BLOCK_KIT.plainTextInput} characters`);
    }
    return;
  }
  if (value.type !== 'button') return void problems.push(`${at}.type: ${String(value.type)} is not checked by the stand-in`);
  textObject(problems, `${at}.text`, value.text, BLOCK_KIT.buttonText, 'plain_text');
  if (typeof value.action_id === 'string') maxLength(problems, `${at}.action_id`, value.action_id, BLOCK_KIT.actionId);
  if (typeof value.value === 'string') maxLength(problems, `${at}.value`, value.value, BLOCK_KIT.buttonValue);
  if (value.style !== undefined && value.style !== 'primary' && value.style !== 'danger') problems.push(`${at}.style: primary or danger`);
  if (value.confirm !== undefined) {
    const confirm = value.confirm;
    if (!isObject(confirm)) return void problems.push(`${at}.confirm: must be an object`);
    textObject(problems, `${at}.confirm.title`, confirm.title, BLOCK_KIT.confirmTitle, 'plain_text');
    textObject(problems, `${at}.confirm.text`, confirm.text, BLOCK_KIT.confirmText);
    textObject(problems, `${at}.confirm.confirm`, confirm.confirm, BLOCK_KIT.confirmButton, 'plain_text');
    textObject(problems, `${at}.confirm.deny`, confirm.deny, BLOCK_KIT.confirmButton, 'plain_text');
  }
}

/** static_select and checkboxes: their options, and initial options that are among them. */
function choiceElement(problems: string[], at: string, value: Json): void {
  const most = value.type === 'checkboxes' ? BLOCK_KIT.checkboxOptions : BLOCK_KIT.selectOptions;
  if (value.type === 'static_select' && value.placeholder !== undefined) textObject(problems, `${at}.placeholder`, value.placeholder, BLOCK_KIT.placeholder, 'plain_text');
  if (!Array.isArray(value.options) || value.options.length === 0 || value.options.length > most) {
    return void problems.push(`${at}.options: 1 to ${most} options`);
  }
  const values = new Set<string>();
  value.options.forEach((option: unknown, i: number) => {
    if (!isObject(option) || typeof option.value !== 'string') return void problems.push(`${at}.options[${i}]: needs text and a value`);
    textObject(problems, `${at}.options[${i}].text`, option.text, BLOCK_KIT.optionText, value.type === 'static_select' ? 'plain_text' : undefined);
    maxLength(problems, `${at}.options[${i}].value`, option.value, BLOCK_KIT.optionValue);
    if (values.has(option.value)) problems.push(`${at}.options[${i}].value: duplicate ${option.value}`);
    values.add(option.value);
  });
  const initial = value.type === 'checkboxes' ? value.initial_options : value.initial_option === undefined ? undefined : [value.initial_option];
  if (initial !== undefined) {
    if (!Array.isArray(initial)) return void problems.push(`${at}.initial_options: must be an array`);
    initial.forEach((option: unknown, i: number) => {
      if (!isObject(option) || typeof option.value !== 'string' || !values.has(option.value)) problems.push(`${at}: initial option ${i} is not one of its options`);
    });
  }
}

/**
 * What `views.open`, `views.update` and `views.publish` refuse (`invalid_arguments` with these):
 * a modal's title, submit and close are plain text of at most 24 characters, a modal with input
 * blocks has a submit button, and a view has at most 100 blocks.
 */
export function viewViolations(view: unknown): string[] {
  if (!isObject(view)) return ['view: must be an object'];
  const problems: string[] = [];
  if (view.type !== 'home' && view.type !== 'modal') return [`view.type: home or modal (got ${String(view.type)})`];
  if (view.type === 'modal') {
    textObject(problems, 'view.title', view.title, BLOCK_KIT.viewTitle, 'plain_text');
    if (view.submit !== undefined) textObject(problems, 'view.submit', view.submit, BLOCK_KIT.viewButton, 'plain_text');
    if (view.close !== undefined) textObject(problems, 'view.close', view.close, BLOCK_KIT.viewButton, 'plain_text');
    if (Array.isArray(view.blocks) && view.blocks.some((b) => isObject(b) && b.type === 'input') && view.submit === undefined) {
      problems.push('view.submit: a modal with input blocks needs a submit button');
    }
  }
  if (typeof view.callback_id === 'string') maxLength(problems, 'view.callback_id', view.callback_id, BLOCK_KIT.callbackId);
  if (view.private_metadata !== undefined) {
    if (typeof view.private_metadata !== 'string') problems.push('view.private_metadata: must be a string');
    else maxLength(problems, 'view.private_metadata', view.private_metadata, BLOCK_KIT.privateMetadata);
  }
  if (!Array.isArray(view.blocks)) return [...problems, 'view.blocks: must be an array'];
  return [...problems, ...blockKitViolations(view.blocks, view.type).map((p) => `view.${p}`)];
}

function maxLength(problems: string[], at: string, text: string, max: number): void {
  if (text.length > max) problems.push(`${at}: ${text.length} characters, more than ${max}`);
}
