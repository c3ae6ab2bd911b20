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
} as const;

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every violation, as `blocks[3].text: longer than 3000 characters`; empty when Slack would accept. */
export function blockKitViolations(blocks: unknown): string[] {
  if (blocks === undefined) return [];
  if (!Array.isArray(blocks)) return ['blocks: must be an array'];
  const problems: string[] = [];
  if (blocks.length > BLOCK_KIT.blocksPerMessage) problems.push(`blocks: ${blocks.length} blocks, more than ${BLOCK_KIT.blocksPerMessage}`);
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

function maxLength(problems: string[], at: string, text: string, max: number): void {
  if (text.length > max) problems.push(`${at}: ${text.length} characters, more than ${max}`);
}
