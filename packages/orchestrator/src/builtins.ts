import { fillGaps } from '@amf-foresight/core';
import { seasonOf } from './evaluation.js';
import type { ModelEntry } from './registry.js';

// The built-in models. Each package is imported only when its model is used: model packages are
// optional peers of the orchestrator, so a project installs only those it runs.

const seed = { type: 'integer', describe: 'seed of the random parts (reproducible fits)', min: 0 } as const;

export const BUILTIN_MODELS: Readonly<Record<string, ModelEntry>> = {
  NAIVE: {
    packageName: '@amf-foresight/models-seasonal',
    params: {},
    load: async () => {
      const m = await import('@amf-foresight/models-seasonal');
      return { create: () => new m.Naive(), load: (dir) => m.Naive.load(dir) };
    },
  },
  SNAIVE: {
    packageName: '@amf-foresight/models-seasonal',
    params: { season: { type: 'integer', describe: 'season in steps (default: one day of the step)', min: 1 } },
    load: async () => {
      const m = await import('@amf-foresight/models-seasonal');
      return {
        create: (o) => new m.SeasonalNaive({ ...(o.season !== undefined ? { season: o.season } : {}), ...o.params }),
        load: (dir) => m.SeasonalNaive.load(dir),
      };
    },
  },
  MSTL: {
    packageName: '@amf-foresight/models-seasonal',
    params: {
      periods: { type: 'integers', describe: 'seasonal periods in steps, e.g. 1440,10080 (default: one day)', min: 2 },
    },
    load: async () => {
      const m = await import('@amf-foresight/models-seasonal');
      return {
        create: (o) => new m.MstlEts({ ...(o.season !== undefined ? { periods: [o.season] } : {}), ...o.params }),
        load: (dir) => m.MstlEts.load(dir),
      };
    },
  },
  THETA: {
    packageName: '@amf-foresight/models-seasonal',
    params: {
      season: { type: 'integer', min: 2, describe: 'season to adjust for, in steps (default: one day of the step)' },
    },
    load: async () => {
      const m = await import('@amf-foresight/models-seasonal');
      return {
        create: (o) => m.theta({ ...(o.season !== undefined ? { season: o.season } : {}), ...o.params }),
        load: (dir) => m.Deseasonalised.wrap(m.SesDrift.load(dir), dir),
      };
    },
  },
  COMBO: {
    packageName: '@amf-foresight/models-arima @amf-foresight/models-seasonal',
    params: {},
    load: async () => {
      const [a, s, { Combination }] = await Promise.all([
        import('@amf-foresight/models-arima'),
        import('@amf-foresight/models-seasonal'),
        import('./combination.js'),
      ]);
      return {
        // ARIMA and THETA, and ARIMA on the seasonally adjusted series when the series has a daily season.
        create: (o) =>
          new Combination((series) => {
            const m = o.season ?? seasonOf(series);
            const arima = () => new a.Arima({ maxHorizon: Math.max(o.maxHorizon ?? 576, 1) });
            return s.isSeasonal(fillGaps(series.y), m)
              ? [arima(), s.theta({ season: m }), new s.Deseasonalised(arima(), { season: m })]
              : [arima(), new s.SesDrift()];
          }),
        load: async (dir) => {
          const { loadModel } = await import('./registry.js');
          return Combination.load(dir, (d) => loadModel(d));
        },
      };
    },
  },
  ARIMA: {
    packageName: '@amf-foresight/models-arima',
    params: {
      order: { type: 'integers', length: 3, min: 0, describe: 'a fixed p,d,q instead of the order search' },
      maxOrder: { type: 'integer', min: 0, max: 5, describe: 'largest p and q the search tries (default 2)' },
      search: { type: 'choice', choices: ['stepwise', 'grid'], describe: 'order search: stepwise (default) or grid' },
      searchPoints: { type: 'integer', min: 50, describe: 'the search fits the latest N points (default 1000)' },
      seasonalPeriod: { type: 'integer', min: 2, describe: 'seasonal differencing at this period, in steps' },
      maxPoints: { type: 'integer', min: 20, max: 8000, describe: 'fit only the latest N points (default 8000)' },
    },
    load: async () => {
      const m = await import('@amf-foresight/models-arima');
      return {
        create: (o) => new m.Arima({ maxHorizon: Math.max(o.maxHorizon ?? 576, 1), ...o.params }),
        load: (dir) => m.Arima.load(dir),
      };
    },
  },
  PROPHET: {
    packageName: '@amf-foresight/models-prophet',
    params: {
      growth: { type: 'choice', choices: ['linear', 'flat'], describe: 'trend: linear (default) or flat' },
      nChangepoints: { type: 'integer', min: 0, describe: 'potential trend changepoints (default 25)' },
      changepointRange: {
        type: 'number',
        min: 0,
        max: 1,
        describe: 'share of the history with changepoints (default 0.8)',
      },
      changepointPriorScale: { type: 'number', min: 0, describe: 'flexibility of the trend (default 0.05)' },
      seasonalityPriorScale: { type: 'number', min: 0, describe: 'flexibility of the seasonalities (default 10)' },
      seasonalityMode: {
        type: 'choice',
        choices: ['additive', 'multiplicative'],
        describe: 'additive (default) or multiplicative',
      },
      daily: {
        type: 'choice',
        choices: ['auto', true, false],
        orNumber: true,
        describe: 'daily seasonality: auto, true, false or Fourier order',
      },
      weekly: {
        type: 'choice',
        choices: ['auto', true, false],
        orNumber: true,
        describe: 'weekly seasonality: auto, true, false or Fourier order',
      },
      yearly: {
        type: 'choice',
        choices: ['auto', true, false],
        orNumber: true,
        describe: 'yearly seasonality: auto, true, false or Fourier order',
      },
      scaling: { type: 'choice', choices: ['absmax', 'minmax'], describe: 'absmax (default) or minmax' },
      uncertaintySamples: { type: 'integer', min: 10, describe: 'simulated paths for the intervals (default 1000)' },
      seed,
    },
    load: async () => {
      const m = await import('@amf-foresight/models-prophet');
      return { create: (o) => new m.Prophet(o.params), load: (dir) => m.Prophet.load(dir) };
    },
  },
  LSTM: {
    packageName: '@amf-foresight/models-lstm',
    params: {
      window: {
        type: 'integer',
        min: 2,
        describe: 'input window in steps (default one day, at least 24; a third of a shorter series)',
      },
      units: { type: 'integer', min: 1, max: 512, describe: 'LSTM units (default 16)' },
      epochs: { type: 'integer', min: 1, describe: 'maximum epochs (default 30)' },
      patience: { type: 'integer', min: 1, describe: 'epochs without improvement before stopping (default 4)' },
      validationShare: {
        type: 'number',
        min: 0.01,
        max: 0.89,
        describe: 'latest share of windows kept for validation and intervals (default 0.2)',
      },
      maxSamples: { type: 'integer', min: 10, describe: 'at most N training windows (default 800)' },
      batchSize: { type: 'integer', min: 1, describe: 'batch size (default 64)' },
      learningRate: { type: 'number', min: 0, describe: 'Adam learning rate (default 0.01)' },
      recurrentActivation: {
        type: 'choice',
        choices: ['sigmoid', 'hardSigmoid'],
        describe: 'the gates: sigmoid (default) or hardSigmoid (the defaults before 0.2)',
      },
      backend: {
        type: 'choice',
        choices: ['tensorflow', 'wasm', 'cpu'],
        describe: 'force a TensorFlow.js backend (default: wasm, else tensorflow, else cpu)',
      },
      seed,
    },
    load: async () => {
      const m = await import('@amf-foresight/models-lstm');
      return {
        // A direct multi-step network: its output layer is the horizon, capped at one day of 5-minute steps;
        // longer forecasts chain the network (see the package README).
        create: (o) =>
          new m.Lstm({
            maxHorizon: Math.min(Math.max(o.maxHorizon ?? 12, 1), 288),
            ...(o.log ? { log: o.log } : {}),
            ...o.params,
          }),
        load: (dir, o) => m.Lstm.load(dir, o.log ? { log: o.log } : {}),
      };
    },
  },
};
