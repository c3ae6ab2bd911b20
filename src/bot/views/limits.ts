import type { Block } from './blocks.js';

/**
 * Block Kit's limits: Slack refuses a message with more than 50 blocks or a section text over
 * 3000 characters. Views pack their lines into sections with `packLines`, and every message goes
 * through `fitMessage` last, so a run of any length still renders.
 */
export const LIMITS = {
  blocks: 50,
  sectionText: 3000,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  buttonText: 75,
  /** The notification text beside the blocks; Slack allows more, people read less. */
  fallbackText: 3000,
} as const;

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Joins lines into as few texts as fit a section each; a line too long on its own is cut. */
export function packLines(lines: readonly string[], max: number = LIMITS.sectionText): string[] {
  const packed: string[] = [];
  let current = '';
  for (const raw of lines) {
    const line = truncate(raw, max);
    if (current !== '' && current.length + 1 + line.length > max) {
      packed.push(current);
      current = '';
    }
    current = current === '' ? line : `${current}\n${line}`;
  }
  if (current !== '') packed.push(current);
  return packed;
}

/**
 * Clamps every text to its limit and the message to 50 blocks: when there are more, the middle
 * gives way to a note, keeping the first block, the last one and every actions block (the buttons
 * people need).
 */
export function fitMessage(blocks: readonly Block[]): Block[] {
  const clamped = blocks.map(clampBlock);
  if (clamped.length <= LIMITS.blocks) return clamped;
  const pinned = (block: Block, i: number) => i === 0 || i === clamped.length - 1 || block.type === 'actions';
  let room = LIMITS.blocks - 1 - clamped.filter(pinned).length;
  const fitted: Block[] = [];
  let omitted = 0;
  let noteAt = -1;
  clamped.forEach((block, i) => {
    if (pinned(block, i)) fitted.push(block);
    else if (room > 0) {
      fitted.push(block);
      room -= 1;
    } else {
      if (noteAt === -1) noteAt = fitted.length;
      omitted += 1;
    }
  });
  fitted.splice(noteAt, 0, {
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `… ${omitted} more blocks are not shown (Slack shows at most ${LIMITS.blocks}).` }],
  });
  return fitted;
}

function clampBlock(block: Block): Block {
  switch (block.type) {
    case 'section':
      return {
        ...block,
        ...(block.text ? { text: { ...block.text, text: truncate(block.text.text, LIMITS.sectionText) } } : {}),
        ...(block.fields ? { fields: block.fields.slice(0, 10).map((f) => ({ ...f, text: truncate(f.text, LIMITS.fieldText) })) } : {}),
      };
    case 'header':
      return { ...block, text: { ...block.text, text: truncate(block.text.text, LIMITS.headerText) } };
    case 'context':
      return {
        ...block,
        elements: block.elements
          .slice(0, LIMITS.contextElements)
          .map((e) => ('text' in e && typeof e.text === 'string' ? { ...e, text: truncate(e.text, LIMITS.sectionText) } : e)),
      };
    default:
      return block;
  }
}
