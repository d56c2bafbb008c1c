import type { FitOptions, Forecast, Forecaster, PredictOptions, SeriesInput } from '@amf-foresight/core';

/**
 * A Forecaster on top of another (conformal intervals, a domain): it fits the inner model as it is
 * and changes only what `predict` returns and what `save` adds beside the inner model's files.
 */
export abstract class Layer implements Forecaster {
  readonly name: string;

  constructor(protected readonly inner: Forecaster) {
    this.name = inner.name;
  }

  async fit(series: SeriesInput, options?: FitOptions): Promise<this> {
    await this.inner.fit(series, options);
    return this;
  }

  abstract predict(h: number, options?: PredictOptions): Forecast;
  abstract save(dir: string): void;
}
