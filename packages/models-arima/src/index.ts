export { Arima } from './arima.js';
export type { ArimaParams } from './arima.js';
export { kpss, KPSS_CRITICAL_5 } from './kpss.js';
export { runArima, setArimaWorkers, stopArimaWorker, workerRestarts } from './worker.js';
export type { ArimaJob, ArimaResult, ArimaCoefficients } from './worker.js';
