export {
  blockMeans,
  deviations,
  evenQuantiles,
  gridSteps,
  observations,
  percentile,
  podMean,
  sliceGrid,
} from './usage.js';
export type { UsageGrid } from './usage.js';
export {
  MEMORY_MARGIN,
  RECOMMEND_LEVELS,
  exceedance,
  levelFor,
  oursAt,
  oursModel,
  quantileForecast,
  recommendFromForecast,
} from './ours.js';
export type { Exceedance, OursModel, OursOptions, OursRecommendation, QuantileForecast } from './ours.js';
export { krrSimple } from './krr.js';
export type { KrrOptions, KrrRecommendation } from './krr.js';
export { vpaStyle } from './vpa.js';
export type { VpaOptions, VpaRecommendation } from './vpa.js';
export { constantRequest, score, scheduledRequest, slackWithin, violationsWithin } from './score.js';
export type { RequestAt, Score, SweepPoint } from './score.js';
export { METHODS, SWEEPS, backtestRecommendations } from './backtest.js';
export type { BacktestInput, GoalCheck, Method, MethodResult, RecommendationBacktest } from './backtest.js';
export { cpuQuantity, memoryQuantity, resourcesPatch } from './patch.js';
export type { ContainerResources } from './patch.js';
