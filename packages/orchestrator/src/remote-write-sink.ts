import type { RemoteSeries } from '@amf-foresight/tsdb-ingest/remote-write';
import type { SeriesToWrite } from '@amf-foresight/tsdb-ingest/writer';
import { fleetSeries, trainedSeries } from './forecast-series.js';
import type { Fleet } from './fleet.js';
import type { Sink } from './plan.js';
import type { Trained } from './train.js';

/** The horizons a remote write sends by default (those within the forecast). */
export const REMOTE_WRITE_HORIZONS_MS = [5, 15, 30, 60, 360, 1440, 10080].map((m) => m * 60_000);

/** 5m, 1h, 1d, 7d: the `horizon` label of a forecast sent by remote write. */
export function horizonLabel(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1000, 's'],
  ];
  for (const [u, name] of units) if (ms % u === 0) return `${ms / u}${name}`;
  return `${ms}ms`;
}

/**
 * The forecast as a live Prometheus can take it: a server accepts samples ahead of now, but the
 * first one more than ~3 h ahead makes its head compact up to that time, and from then on it
 * refuses every current sample as out of bounds (measured on 2.42, README "Remote write"). So each
 * forecast value goes out stamped `now`, with the horizon it is for as a label — the forecast for
 * now + 1 h is `amf_foresight_forecast{horizon="1h"}` at now — and each recommendation as its value
 * at the period's start, stamped now.
 */
export function stampedNow(
  series: readonly SeriesToWrite[],
  now: number,
  horizons = REMOTE_WRITE_HORIZONS_MS,
): RemoteSeries[] {
  const out: RemoteSeries[] = [];
  for (const s of series) {
    const t = s.timestamps;
    if (t.length === 0) continue;
    if (s.labels.quantile === undefined) {
      out.push({ labels: s.labels, timestamps: [now], values: [s.values[0]!] });
      continue;
    }
    const step = t.length > 1 ? t[1]! - t[0]! : horizons[0]!;
    const origin = t[0]! - step; // the last time the model saw
    for (const h of horizons) {
      const k = Math.round(h / step) - 1;
      if (k < 0 || k >= t.length || t[k]! - origin !== h) continue;
      out.push({ labels: { ...s.labels, horizon: horizonLabel(h) }, timestamps: [now], values: [s.values[k]!] });
    }
  }
  return out;
}

/** Sends the run's forecasts (and a fleet's recommendations) to a remote-write receiver once the run is complete. */
export function remoteWriteSink(url: string, now: () => number = Date.now): Sink {
  return {
    name: 'remote-write',
    run: async (_runDir, ctx, output) => {
      const o = output as { kind?: string } | undefined;
      const series =
        o?.kind === 'trained' ? trainedSeries(o as Trained) : o?.kind === 'fleet' ? fleetSeries(o as Fleet) : [];
      const { remoteWrite } = await import('@amf-foresight/tsdb-ingest/remote-write');
      const r = await remoteWrite(stampedNow(series, now()), {
        url,
        signal: ctx.signal,
        onRetry: (status, ms) =>
          ctx.logger.warn(`remote write: ${status ? `HTTP ${status}` : 'network error'}, retrying in ${ms} ms`),
      });
      ctx.logger.info(`remote write: ${r.samples} samples in ${r.requests} requests to ${url} (${r.retries} retries)`);
      return { url, ...r };
    },
  };
}
