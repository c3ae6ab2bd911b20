import { element, emojify, mrkdwn } from './mrkdwn.js';

/**
 * Block Kit as the Slack client shows it, for the blocks the bot sends: header, section (text,
 * fields, accessory button), context, divider, actions with buttons (primary / danger styles,
 * confirm dialogs), and in views, input blocks with selects, checkboxes and text inputs.
 * `ctx` is the mrkdwn context plus, for surfaces whose elements work:
 *   act(button, blockId) -> Promise   sends the click
 *   confirm(dialog) -> Promise<boolean>   shows a button's confirm dialog
 *   form: { values, errors, change(blockId, actionId, state, dispatch) }   a view's inputs
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
      for (const item of block.elements ?? []) row.append(item.type === 'button' ? button(item, ctx, block.block_id) : unsupported(item.type));
      return row;
    }
    case 'input':
      return input(block, ctx);
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

function button(spec, ctx, blockId) {
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
      await ctx.act(spec, blockId);
    } finally {
      // The message is usually re-rendered by then; this only matters when it is not.
      node.disabled = false;
      node.classList.remove('bk-button-busy');
    }
  });
  return node;
}

let inputs = 0;

/** An input block: its label, its element wired to the view's state, its hint and its error. */
function input(block, ctx) {
  const node = element('div', 'bk-input');
  node.dataset.blockId = block.block_id ?? '';
  const id = `bk-input-${++inputs}`;
  const label = `${textOf(block.label)}${block.optional ? ' (optional)' : ''}`;
  const form = ctx.form;
  const state = form?.values?.[block.block_id]?.[block.element?.action_id];
  const change = (next) => form?.change(block.block_id, block.element.action_id, next, Boolean(block.dispatch_action));
  const el = block.element ?? {};
  if (el.type === 'checkboxes') {
    const set = element('fieldset');
    set.append(element('legend', 'bk-input-label', label));
    const ticked = new Set((state?.selected_options ?? el.initial_options ?? []).map((o) => o.value));
    for (const option of el.options ?? []) {
      const box = element('input');
      box.type = 'checkbox';
      box.value = option.value;
      box.checked = ticked.has(option.value);
      box.addEventListener('change', () => {
        const values = [...set.querySelectorAll('input:checked')].map((b) => b.value);
        change({ type: 'checkboxes', selected_options: (el.options ?? []).filter((o) => values.includes(o.value)) });
      });
      const row = element('label');
      row.append(box, ` ${textOf(option.text)}`);
      set.append(row);
    }
    node.append(set);
  } else {
    const caption = element('label', 'bk-input-label', label);
    caption.htmlFor = id;
    node.append(caption);
    if (el.type === 'static_select') {
      const select = element('select');
      select.id = id;
      const none = element('option', '', textOf(el.placeholder) || 'Choose…');
      none.value = '';
      none.disabled = true;
      select.append(none, ...(el.options ?? []).map((o) => {
        const option = element('option', '', textOf(o.text));
        option.value = o.value;
        return option;
      }));
      select.value = state?.selected_option?.value ?? el.initial_option?.value ?? '';
      select.addEventListener('change', () => change({ type: 'static_select', selected_option: (el.options ?? []).find((o) => o.value === select.value) ?? null }));
      node.append(select);
    } else if (el.type === 'plain_text_input') {
      const text = element('input');
      text.type = 'text';
      text.id = id;
      text.placeholder = textOf(el.placeholder);
      text.value = state?.value ?? el.initial_value ?? '';
      text.addEventListener('change', () => change({ type: 'plain_text_input', value: text.value }));
      node.append(text);
    } else {
      node.append(unsupported(el.type));
    }
  }
  if (block.hint) node.append(element('span', 'bk-input-hint', textOf(block.hint)));
  const error = form?.errors?.[block.block_id];
  if (error) {
    const alert = element('p', 'bk-input-error', error);
    alert.setAttribute('role', 'alert');
    node.append(alert);
  }
  return node;
}

/** The state an input block shows before anyone changes it (its initial option or value). */
export function initialValues(blocks) {
  const values = {};
  for (const block of blocks ?? []) {
    if (block.type !== 'input' || !block.element?.action_id) continue;
    const el = block.element;
    let state;
    if (el.type === 'static_select') state = { type: 'static_select', selected_option: el.initial_option ?? null };
    else if (el.type === 'checkboxes') state = { type: 'checkboxes', selected_options: el.initial_options ?? [] };
    else if (el.type === 'plain_text_input') state = { type: 'plain_text_input', value: el.initial_value ?? null };
    if (state) values[block.block_id] = { [el.action_id]: state };
  }
  return values;
}

function unsupported(type) {
  return element('div', 'bk-unsupported', `[${String(type)} is not shown in the sandbox]`);
}

/** The body of a confirm dialog: its mrkdwn or plain text. */
export function confirmText(confirm, ctx) {
  return textObject(confirm.text, ctx, 'confirm-text');
}
