export { simulate, seriesLabels, METRICS } from './simulate.js';
export type { SeriesBuf, TruthRow, Level, MetricName, Simulation } from './simulate.js';
export { DEFAULT_OPTIONS, NF_PROFILES, dailyFactor, weeklyFactor, makePods } from './model.js';
export type { SynthOptions, NfProfile, Pod } from './model.js';
export { toOpenMetrics } from './openmetrics.js';
export { writeBlocks, truthCsv } from './synth.js';
export type { SynthResult } from './synth.js';
export { Rng } from './rng.js';
