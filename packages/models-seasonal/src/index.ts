export { Naive, SeasonalNaive } from './naive.js';
export type { SeasonalNaiveParams } from './naive.js';
export { MstlEts } from './mstl.js';
export type { MstlParams } from './mstl.js';
export { SesDrift, theta } from './theta.js';
export { Deseasonalised, SEASONAL_FILE, isSeasonal, seasonalIndices } from './deseasonalise.js';
export { stopMstlWorker } from './mstl-worker.js';
