import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError, readManifest } from '@amf-foresight/core';
import { CONFORMAL_FILE, Conformal } from './conformal.js';
import type { Forecaster } from '@amf-foresight/core';
import { Arima } from '@amf-foresight/models-arima';
import { MstlEts, Naive, SeasonalNaive } from '@amf-foresight/models-seasonal';
import { Prophet } from '@amf-foresight/models-prophet';
import { Lstm } from '@amf-foresight/models-lstm';

/** Model names accepted by --model, case-insensitive (DESIGN §4). AUTO is handled by evaluation. */
export const MODEL_NAMES = ['NAIVE', 'SNAIVE', 'MSTL', 'ARIMA', 'PROPHET', 'LSTM'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export interface ModelOptions {
  /** Season in steps for SNAIVE / MSTL (default: one day of the step). */
  season?: number;
  /** Longest horizon the model must serve (ARIMA computes forecasts at fit time). */
  maxHorizon?: number;
  /** Progress of models that report it (LSTM: backend and epochs). */
  log?: (message: string) => void;
}

export function normaliseModelName(name: string): ModelName | 'AUTO' {
  const up = name.trim().toUpperCase();
  if (up === 'AUTO') return 'AUTO';
  if ((MODEL_NAMES as readonly string[]).includes(up)) return up as ModelName;
  throw new UsageError('UNKNOWN_MODEL', `unknown model ${JSON.stringify(name)}`, { flag: '--model', hint: `use one of ${[...MODEL_NAMES, 'auto'].join(', ')}` });
}

export function makeModel(name: ModelName, o: ModelOptions = {}): Forecaster {
  switch (name) {
    case 'NAIVE':
      return new Naive();
    case 'SNAIVE':
      return new SeasonalNaive(o.season !== undefined ? { season: o.season } : {});
    case 'MSTL':
      return new MstlEts(o.season !== undefined ? { periods: [o.season] } : {});
    case 'ARIMA':
      return new Arima({ maxHorizon: Math.max(o.maxHorizon ?? 576, 1) });
    case 'PROPHET':
      return new Prophet();
    case 'LSTM':
      // A direct multi-step network: its output layer is the horizon, so it is capped at one day of 5-minute steps.
      return new Lstm({ maxHorizon: Math.min(Math.max(o.maxHorizon ?? 12, 1), 288), ...(o.log ? { log: o.log } : {}) });
  }
}

/** Loads a saved model of any kind (named in its manifest), with its conformal calibration if any. */
export async function loadModel(dir: string): Promise<Forecaster> {
  const kind = readManifest(dir, '*').model;
  const inner = await loadKind(kind, dir);
  const cal = join(dir, CONFORMAL_FILE);
  if (!existsSync(cal)) return inner;
  return new Conformal(inner, (JSON.parse(readFileSync(cal, 'utf8')) as { absErrors: number[][] }).absErrors);
}

async function loadKind(name: string, dir: string): Promise<Forecaster> {
  switch (normaliseModelName(name)) {
    case 'NAIVE':
      return Naive.load(dir);
    case 'SNAIVE':
      return SeasonalNaive.load(dir);
    case 'MSTL':
      return MstlEts.load(dir);
    case 'ARIMA':
      return Arima.load(dir);
    case 'PROPHET':
      return Prophet.load(dir);
    case 'LSTM':
      return Lstm.load(dir);
    default:
      throw new UsageError('UNKNOWN_MODEL', `cannot load a model of kind ${name}`);
  }
}
