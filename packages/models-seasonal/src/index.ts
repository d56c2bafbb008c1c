export { Naive, SeasonalNaive } from './naive.js';
export type { SeasonalNaiveParams } from './naive.js';
export { MstlEts } from './mstl.js';
export type { MstlParams } from './mstl.js';
