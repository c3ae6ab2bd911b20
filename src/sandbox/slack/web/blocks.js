import { element, emojify, mrkdwn } from './mrkdwn.js';

/**
 * Block Kit as the Slack client shows it, for the blocks the bot sends: header, section (text,
 * fields, accessory button), context, divider, and actions with buttons (primary / danger styles,
 * confirm dialogs). `ctx` is the mrkdwn context plus, for messages whose buttons work:
 *   act(button) -> Promise   sends the click
 *   confirm(dialog) -> Promise<boolean>   shows a button's confirm dialog
 */
export function renderBlocks(blocks, ctx) {
  const root = element('div', 'blocks');
  for (const block of blocks) root.append(renderBlock(block, ctx));
  return root;
}

function renderBlock(block, ctx) {
  switch (block.type) {
    case 'header':
      return element('h3', 'bk-header', textOf(block.text));
    case 'section':
      return section(block, ctx);
    case 'context': {
      const row = element('div', 'bk-context');
      for (const item of block.elements ?? []) {
        // Images would load from other origins; their alt text says what they show.
        if (item.type === 'image') row.append(element('span', 'bk-context-item', item.alt_text ?? ''));
        else row.append(textObject(item, ctx, 'bk-context-item'));
      }
      return row;
    }
    case 'divider':
      return element('hr', 'bk-divider');
    case 'actions': {
      const row = element('div', 'bk-actions');
      for (const item of block.elements ?? []) row.append(item.type === 'button' ? button(item, ctx) : unsupported(item.type));
      return row;
    }
    default:
      return unsupported(block.type);
  }
}

function section(block, ctx) {
  const node = element('div', 'bk-section');
  const body = element('div', 'bk-section-body');
  if (block.text) body.append(textObject(block.text, ctx, 'bk-text'));
  if (Array.isArray(block.fields)) {
    const fields = element('div', 'bk-fields');
    for (const field of block.fields) fields.append(textObject(field, ctx, 'bk-field'));
    body.append(fields);
  }
  node.append(body);
  if (block.accessory) node.append(block.accessory.type === 'button' ? button(block.accessory, ctx) : unsupported(block.accessory.type));
  return node;
}

/** A plain_text or mrkdwn object as an element with `className`. */
function textObject(object, ctx, className) {
  const node = element('div', `${className} mrkdwn`);
  if (object?.type === 'mrkdwn') node.append(mrkdwn(object.text ?? '', ctx));
  else node.textContent = textOf(object);
  return node;
}

function textOf(object) {
  const text = object?.text ?? '';
  return object?.emoji === false ? text : emojify(text);
}

function button(spec, ctx) {
  const style = spec.style === 'primary' || spec.style === 'danger' ? ` bk-button-${spec.style}` : '';
  const node = element('button', `bk-button${style}`, textOf(spec.text));
  node.type = 'button';
  if (!ctx.act) {
    node.disabled = true;
    node.title = 'Buttons on this message do nothing here.';
    return node;
  }
  node.addEventListener('click', async () => {
    if (spec.confirm && !(await ctx.confirm({ ...spec.confirm, style: spec.style }))) return;
    node.disabled = true;
    node.classList.add('bk-button-busy');
    try {
      await ctx.act(spec);
    } finally {
      // The message is usually re-rendered by then; this only matters when it is not.
      node.disabled = false;
      node.classList.remove('bk-button-busy');
    }
  });
  return node;
}

function unsupported(type) {
  return element('div', 'bk-unsupported', `[${String(type)} is not shown in the sandbox]`);
}

/** The body of a confirm dialog: its mrkdwn or plain text. */
export function confirmText(confirm, ctx) {
  return textObject(confirm.text, ctx, 'confirm-text');
}
