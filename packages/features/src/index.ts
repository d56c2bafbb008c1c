export { generateDataset, generateStage, readBeforeFor, summarise, FEATURE_TYPES } from './generate.js';
export type { Dataset, FeatureType, GenerateOptions, SeriesSummary } from './generate.js';
export { selectSeries, seriesLabels, resolveSelection, levelName, LEVELS } from './selection.js';
export type { Level, SelectedSeries, SelectionOptions } from './selection.js';
export { grid, instantOnGrid, rateOnGrid, seriesPoints } from './promql.js';
export type { SeriesPoints } from './promql.js';
export { discoverWorkloads, podUsage } from './workloads.js';
export type { DiscoverOptions, PodUsage, PodUsageOptions, UsageRequest, Workload } from './workloads.js';
