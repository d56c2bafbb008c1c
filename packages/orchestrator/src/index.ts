export { MODEL_NAMES, makeModel, loadModel, normaliseModelName } from './registry.js';
export type { ModelName, ModelOptions } from './registry.js';
export { backtest, prototypeSplit, autoScore, AUTO_CANDIDATES } from './evaluation.js';
export type { BacktestOptions, BacktestResult, Metrics } from './evaluation.js';
export { Conformal } from './conformal.js';
export { autoSelect } from './auto.js';
export type { AutoResult } from './auto.js';
