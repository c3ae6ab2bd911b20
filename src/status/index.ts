/** The maintenance watcher's public face: what the composition root, the bot, the engine and the CLI use. */
export { classifyStatusItem, classifyText, classifyTrustMaintenance, mentionsConnect, type Classification } from './classifier.js';
export { formatWindow, noticeSummary, replies } from './messages.js';
export { observeNotices, type MaintenanceNotice, type NoticeFields, type ObservedNotice } from './notice.js';
export { isFinished, type NoticeState } from './notice-state.js';
export type { MaintenanceNotifier, MessageRef } from './notifier.js';
export { regionsMatch } from './regions.js';
export { FeedHealth, readFeeds, type FeedName, type FeedSnapshot, type StatusLog, type StatusSources } from './sources.js';
export { DEFAULT_MAINTENANCE_CRON, MaintenanceWatcher, type MaintenancePolicy, type MaintenanceWatcherOptions, type TickResult } from './watcher.js';
export { overlaps, upcomingWindows, type MaintenanceWindow } from './windows.js';
export { DEFAULT_MAINTENANCE_MS, parseWindow, type Confidence, type ParsedWindow } from './window-parser.js';
