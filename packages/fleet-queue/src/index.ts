export { DEFAULT_QUEUE, parseQueueUrl } from './url.js';
export type { QueueTarget } from './url.js';
export { PAYLOAD_VERSION, fromPayload, toOutcome, toPayload } from './payload.js';
export type { JobPayload } from './payload.js';
export { queueForecaster } from './producer.js';
export type { ProducerOptions } from './producer.js';
export { runQueueWorker } from './worker.js';
export type { QueueWorkerOptions, WorkerSummary } from './worker.js';
