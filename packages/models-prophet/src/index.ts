export { Prophet, ProphetFitError } from './prophet.js';
export type { ProphetParams, SeasonalityOption } from './prophet.js';
export type { StanFit } from './engine.js';
export { simulateIntervals, percentileSorted } from './uncertainty.js';
export { stanRestarts, stopStanWorker, StanTimeoutError } from './stan-worker.js';
