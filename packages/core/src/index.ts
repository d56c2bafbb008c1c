export { AmfError, UsageError, InputError, DataNotFoundError, isAmfError } from './errors.js';
export type { AmfErrorDetails, ExitCode } from './errors.js';
export { silentLogger, MemoryLogger } from './logger.js';
export type { Logger } from './logger.js';
export { silentProgress } from './stage.js';
export type { ProgressReporter, RunContext, Stage } from './stage.js';
export { SAMPLES_SCHEMA, seriesSchema, isStaleNaN, STALE_NAN_BITS_HI, STALE_NAN_BITS_LO } from './samples.js';
export { parseTime, parseDuration, checkWindow, formatTime } from './time.js';
export { writeFileAtomic } from './files.js';
