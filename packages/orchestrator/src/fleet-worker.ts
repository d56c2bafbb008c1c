/**
 * A fleet worker thread's module (built to dist/fleet-worker.js): fleet-pool.ts loads it in each
 * worker and sends it ForecastJobs. ARIMA's own pool inside a fleet worker is one thread: the fleet
 * workers are the parallelism.
 */
import { forecastOutcome } from './fleet-forecast.js';
import type { ForecastJob, ForecastOutcome } from './fleet-forecast.js';

const ready = import('@amf-foresight/models-arima').then(
  (m) => m.setArimaWorkers(1),
  () => undefined, // ARIMA not installed: its models are not used
);

export async function handle(job: ForecastJob): Promise<ForecastOutcome> {
  await ready;
  return forecastOutcome(job);
}
