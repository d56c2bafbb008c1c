import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Table } from 'apache-arrow';
import { badModelFile, checkHorizon, readModelJson, regularise } from '@amf-foresight/core';
import type { Forecast, Stage } from '@amf-foresight/core';
import { forecastTable, readSeries } from './dataset.js';
import { loadModel, modelFactory } from './registry.js';
import { Calibrated } from './auto.js';
import { DOMAIN_FILE } from './domain.js';

export interface ForecastOptions {
  /** A model/ directory written by the train stage's writer. */
  modelDir: string;
  horizon: number;
  /** Refit the same kind of model on this dataset first (newer data). */
  data?: string;
  /** unique_id in `data` (default: the first). */
  series?: string;
}

/** What the forecast stage hands on: the forecast and its table (unique_id, ds, <MODEL>, -lo-/-hi- columns). */
export interface ForecastOutput {
  readonly kind: 'forecast';
  seriesId: string;
  model: string;
  forecast: Forecast;
  table: Table;
}

/** The series a saved model was trained on (model/series.json), or "series" for models saved without it. */
function seriesIdOf(modelDir: string): string {
  const file = join(modelDir, 'series.json');
  if (!existsSync(file)) return 'series';
  const s = readModelJson(file) as { unique_id?: unknown } | null;
  if (typeof s?.unique_id !== 'string') throw badModelFile(file, 'unique_id is not a name');
  return s.unique_id;
}

/** A saved model's forecast (optionally refitted on newer data first), as a stage with no input. */
export function forecastStage(o: ForecastOptions): Stage<undefined, ForecastOutput> {
  return {
    name: 'forecast',
    run: async (_input, ctx) => {
      checkHorizon(o.horizon);
      let model = await loadModel(o.modelDir);
      let id = seriesIdOf(o.modelDir);
      if (o.data !== undefined) {
        const r = readSeries(o.data, o.series);
        id = r.id;
        const { series, notes } = regularise(r.series);
        if (notes.length > 0) ctx.logger.info(`series ${id}: ${notes.join('; ')}`);
        // The same kind, in the same domain, with intervals calibrated on rolling origins where it can.
        const domain = existsSync(join(o.modelDir, DOMAIN_FILE)) ? 'non-negative' : 'real';
        const make = await modelFactory(model.name, { maxHorizon: o.horizon });
        model = await new Calibrated(make, { horizon: o.horizon, domain }).fit(series);
      }
      const forecast = model.predict(o.horizon);
      ctx.record({ model: model.name, series: id, horizon: o.horizon, refitted: o.data !== undefined });
      return {
        kind: 'forecast',
        seriesId: id,
        model: model.name,
        forecast,
        table: forecastTable(id, model.name, forecast),
      };
    },
  };
}
