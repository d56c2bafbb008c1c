export { Naive, SeasonalNaive } from './naive.js';
export type { SeasonalNaiveParams } from './naive.js';
