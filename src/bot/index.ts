/** The Slack surface's public entry: what main.ts imports. */
export { createBot, type Bot, type BotOptions } from './app.js';
export { SlackMaintenanceNotifier } from './maintenance-notifier.js';
export type { AppStatus, BotPorts, UpcomingWindow } from './ports.js';
export { RunMessages } from './run-messages.js';
