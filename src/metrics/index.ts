/** `/metrics`: what main.ts imports. */
export { loadMetrics, type LoadSources } from './load.js';
export { createMetrics, type Metrics, type MetricsOptions } from './registry.js';
export { METRICS_PATH, metricsRoute } from './route.js';
export { storeGauges, type StoreGaugeSources } from './store-gauges.js';
export { watcherMetrics, type WatcherMetrics } from './watchers.js';
