/** The engine's public entry: what the bot, the command line and main.ts import. */
export { planRunbook } from './definitions.js';
export { createEngine } from './engine.js';
export { createRunReader } from './reader.js';
export { EngineError } from './errors.js';
export { isFinished, isSettled } from './view.js';
export type * from './types.js';
