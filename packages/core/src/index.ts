export { AmfError, UsageError, InputError, DataNotFoundError, isAmfError, fromSystemError } from './errors.js';
export type { AmfErrorDetails, ExitCode } from './errors.js';
export { silentLogger, MemoryLogger } from './logger.js';
export type { Logger } from './logger.js';
export { checkpoint, silentProgress, standaloneContext } from './stage.js';
export type { ArtifactStore, ProgressReporter, RunContext, Stage } from './stage.js';
export { isStaleNaN, setStaleNaN, STALE_NAN_BITS_HI, STALE_NAN_BITS_LO } from './samples.js';
export { FEATURE_UNITS } from './data.js';
export type { Dataset, Samples, SamplesBatch, SamplesStream, SeriesSummary } from './data.js';
export {
  fillGaps,
  seededRandom,
  conformalQuantile,
  weightedConformalQuantile,
  weightedConformalQuantiles,
  recencyWeight,
} from './numeric.js';
export { regularise } from './regularise.js';
export { parseS3Location, redactUrl, redactSecrets, refuseCredentials } from './urls.js';
export type { Regularised } from './regularise.js';
export { parseTime, parseDuration, checkWindow, formatTime } from './time.js';
export { writeFileAtomic, writeFilesAtomic, processAlive, withLockFile, makeDir } from './files.js';
export {
  NotFittedError,
  DEFAULT_LEVELS,
  MANIFEST_VERSION,
  writeManifest,
  readManifest,
  checkSeries,
  checkHorizon,
  MAX_HORIZON,
  normalQuantile,
  zForLevel,
  normalIntervals,
  constantForecast,
  futureTimes,
  isRolling,
} from './forecaster.js';
export type {
  Forecaster,
  FitOptions,
  Forecast,
  PredictOptions,
  RollingForecaster,
  SeriesInput,
  ModelManifest,
} from './forecaster.js';
export { mse, rmse, mae, smape, mase, seasonalNaiveScale, coverage, pinball, intervalScore } from './metrics.js';
export { GuardedWorker, TIMED_OUT } from './worker.js';
export { sleep, withTimeout } from './timing.js';
export type { GuardedWorkerOptions } from './worker.js';
export {
  MAX_MODEL_FILE_BYTES,
  badModelFile,
  readRegularFile,
  readModelJson,
  finiteNumber,
  finiteArray,
  payloadChecksums,
  sealModelDir,
} from './modelfile.js';
