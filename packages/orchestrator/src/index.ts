export {
  registerModel,
  checkModel,
  modelNames,
  modelParams,
  normaliseModelName,
  modelFactory,
  makeModel,
  loadModel,
} from './registry.js';
export type { ModelEntry, ModelKind, ModelOptions } from './registry.js';
export { BUILTIN_MODELS } from './builtins.js';
export { checkParams, parseParamFlags } from './params.js';
export type { ParamSpec, ParamSpecs } from './params.js';
export { backtest, prototypeSplit, autoScore, maseScale, AUTO_CANDIDATES } from './evaluation.js';
export type { BacktestOptions, BacktestResult, MaseScale, Metrics } from './evaluation.js';
export { Conformal, rollingCalibration } from './conformal.js';
export type { Calibration } from './conformal.js';
export { Combination } from './combination.js';
export { NonNegative, domainOf, inDomain } from './domain.js';
export type { Domain } from './domain.js';
export { autoSelect, autoModel, Calibrated } from './auto.js';
export type { AutoResult, CalibratedOptions } from './auto.js';
export { trainStage, trainSeries, scaleNote, MAX_TRAIN_POINTS } from './train.js';
export type { TrainOptions, TrainMetrics, Trained } from './train.js';
export { datasetFileSource, readDatasetFile, readSeries, pickSeries, seriesIds, forecastTable } from './dataset.js';
export {
  samplesWriter,
  samplesStreamWriter,
  datasetWriter,
  trainedWriter,
  forecastWriter,
  defaultWriters,
} from './artifacts.js';
export { forecastStage } from './forecast.js';
export type { ForecastOptions, ForecastOutput } from './forecast.js';
export type { ArtifactWriter } from './artifacts.js';
export { Plan, runPlan, CancelledError } from './plan.js';
export type { RunOptions, RunResult, Sink } from './plan.js';
export { newRunId, latestSamplesDir, directoryStore } from './run-dir.js';
export type { RunTarget } from './run-dir.js';
export { parseS3Url, uploadBlocks, uploadDir } from './upload.js';
export {
  RUN_BLOCKS_DIR,
  blockSinks,
  exportBlocksSink,
  fleetBlocksWriter,
  runBlocks,
  trainedBlocksWriter,
  uploadBlocksSink,
} from './export-blocks.js';
export { REMOTE_WRITE_HORIZONS_MS, horizonLabel, remoteWriteSink, stampedNow } from './remote-write-sink.js';
export {
  FORECAST_METRIC,
  RECOMMENDATION_METRIC,
  boundQuantile,
  fleetSeries,
  quantileSeries,
  trainedSeries,
} from './forecast-series.js';
export { pipelinePlan, runPipeline, sourceSeries, sourceStage, streamingSourceStage, uploadSink } from './pipeline.js';
export type { PipelineOptions, PipelineResult, SourceSpec, WindowSpec } from './pipeline.js';
export { panelsSvg, svgToPng, htmlReport } from './plot.js';
export type { Line, Panel, Band } from './plot.js';
export {
  FLEET_LEVELS,
  FLEET_METRICS,
  assembleFleet,
  checkFleetOptions,
  failedEntries,
  failureLine,
  fleetFacts,
  fleetStage,
  fleetWorkloads,
  recommendedLine,
  runFleet,
  workloadEntries,
  workloadMatchers,
} from './fleet.js';
export type { Fleet, FleetEntry, FleetLevel, FleetMetric, FleetOptions, WorkloadRef } from './fleet.js';
export { fleetThread, forecastAll, forecastOn, poolSize } from './fleet-pool.js';
export type { PoolOptions } from './fleet-pool.js';
export { forecastJob, forecastOutcome } from './fleet-forecast.js';
export type { ForecastJob, ForecastOutcome, ForecastResult } from './fleet-forecast.js';
export {
  RECOMMENDATIONS_SCHEMA_VERSION,
  fleetTable,
  fleetText,
  fleetWriter,
  recommendationsDocument,
  workloadPatches,
} from './fleet-artifacts.js';
export { fleetReport } from './fleet-report.js';
