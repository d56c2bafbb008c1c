import { join } from 'node:path';
import type { ArtifactStore, Dataset, Forecast, Samples, SamplesStream, SeriesInput } from '@amf-foresight/core';
import { FEATURE_UNITS, sealModelDir, writeFileAtomic } from '@amf-foresight/core';
import { parquetBytes, samplesFiles, writeSamplesStream } from '@amf-foresight/tsdb-ingest/parquet';
import { forecastTable } from './dataset.js';
import { htmlReport, panelsSvg, svgToPng } from './plot.js';
import type { ForecastOutput } from './forecast.js';
import type { Trained } from './train.js';

/**
 * Persists one kind of stage output (matched on its `kind`) into the run's files. The runner
 * calls the writers once the plan has run, with the last output of each kind.
 */
export interface ArtifactWriter<T extends { kind: string } = { kind: string }> {
  readonly kind: T['kind'];
  write(value: T, store: ArtifactStore): Promise<string[]>;
}

/** samples/series.parquet and samples/samples.parquet (under `dir`). */
export function samplesWriter(dir = 'samples'): ArtifactWriter<Samples> {
  return {
    kind: 'samples',
    write: (s, store) => {
      const files = samplesFiles(s).map((f) => ({ name: dir === '' ? f.name : `${dir}/${f.name}`, data: f.data }));
      store.write(files);
      return Promise.resolve(files.map((f) => f.name));
    },
  };
}

/** The files of `samplesWriter`, written from a stream batch by batch (row groups), in bounded memory. */
export function samplesStreamWriter(dir = 'samples'): ArtifactWriter<SamplesStream> {
  return {
    kind: 'samples-stream',
    write: async (s, store) => {
      const names = ['samples.parquet', 'series.parquet'].map((f) => (dir === '' ? f : `${dir}/${f}`));
      await writeSamplesStream(s, { samples: store.path(names[0]!), series: store.path(names[1]!) });
      return names;
    },
  };
}

const str = (v: unknown, otherwise = ''): string => (typeof v === 'string' ? v : otherwise);

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];

/**
 * <base>.parquet, and beside it a PNG and a self-contained HTML page with every series and a table
 * of their figures.
 */
export function datasetWriter(base = 'dataset'): ArtifactWriter<Dataset> {
  return {
    kind: 'dataset',
    write: async (d, store) => {
      const m = d.metadata;
      const ids = Array.from(d.table.getChild('unique_id')!) as string[];
      const ds = Array.from(d.table.getChild('ds')!, (x) => Number(x));
      const ys = Array.from(d.table.getChild('y')!) as (number | null)[];
      const lines = d.summary.series.map((s, i) => {
        const idx = ids.flatMap((u, k) => (u === s.unique_id ? [k] : []));
        return {
          label: s.unique_id,
          color: COLORS[i % COLORS.length]!,
          t: idx.map((k) => ds[k]!),
          y: idx.map((k) => ys[k] ?? NaN),
        };
      });
      const type = str(m['type']);
      const title = `${str(m['metric'], 'dataset')} · ${type} · level ${str(m['level'])}`;
      const svg = panelsSvg(title, [
        {
          title: `${str(m['nf'], str(m['workload'])).toUpperCase()} ${type}`,
          unit: FEATURE_UNITS[type] ?? '',
          lines,
        },
      ]);
      const rows = d.summary.series.map((s) => ({
        unique_id: s.unique_id,
        points: s.points,
        missing: s.missing,
        longest_gap: s.longestGap,
        min: s.min,
        mean: s.mean,
        max: s.max,
        pods: s.pods.join(' '),
      }));
      const files = [
        { name: `${base}.parquet`, data: parquetBytes(d.table, d.metadata) },
        { name: `${base}.png`, data: await svgToPng(svg) },
        { name: `${base}.html`, data: htmlReport(title, svg, rows) },
      ];
      store.write(files);
      return files.map((f) => f.name);
    },
  };
}

/** model/ (the model's own files, manifest first), forecast.parquet, metrics.json, forecast.png and forecast.html. */
export function trainedWriter(): ArtifactWriter<Trained> {
  return {
    kind: 'trained',
    write: async (t, store) => {
      const name = t.metrics.model;
      const modelDir = store.path('model');
      t.model.save(modelDir);
      writeFileAtomic(
        join(modelDir, 'series.json'),
        JSON.stringify({ unique_id: t.seriesId, lastDs: t.series.ds[t.series.ds.length - 1] }) + '\n',
      );
      sealModelDir(modelDir); // checksums of every file, checked when the model is loaded
      const svg = forecastSvg(t.seriesId, name, t.series, t.forecast, t.unit);
      const f = t.forecast;
      const rows = Array.from(f.ds, (ts, i) => ({
        ds: new Date(ts).toISOString(),
        mean: f.mean[i]!,
        ...Object.fromEntries(
          Object.entries(f.intervals).flatMap(([l, b]) => [
            [`lo ${l} %`, b.lo[i]!],
            [`hi ${l} %`, b.hi[i]!],
          ]),
        ),
      }));
      const files = [
        {
          name: 'forecast.parquet',
          data: parquetBytes(forecastTable(t.seriesId, name, f), {
            kind: 'forecast',
            model: name,
            series: t.seriesId,
            horizon: f.ds.length,
            version: 1,
          }),
        },
        { name: 'metrics.json', data: JSON.stringify(t.metrics, null, 2) + '\n' },
        { name: 'forecast.png', data: await svgToPng(svg) },
        { name: 'forecast.html', data: htmlReport(`${name} forecast of ${t.seriesId}`, svg, rows) },
      ];
      store.write(files);
      return ['model/', ...files.map((x) => x.name)];
    },
  };
}

/** <base>.parquet: the forecast table with its metadata. */
export function forecastWriter(base = 'forecast'): ArtifactWriter<ForecastOutput> {
  return {
    kind: 'forecast',
    write: (f, store) => {
      const meta = { kind: 'forecast', model: f.model, series: f.seriesId, horizon: f.forecast.ds.length, version: 1 };
      store.write([{ name: `${base}.parquet`, data: parquetBytes(f.table, meta) }]);
      return Promise.resolve([`${base}.parquet`]);
    },
  };
}

/** The writers a run uses unless told otherwise. */
export function defaultWriters(): ArtifactWriter[] {
  return [samplesWriter(), datasetWriter(), trainedWriter()] as ArtifactWriter[];
}

/** The recent data (the last max(12·h, 6 h) points) with the forecast, its 80 % and 95 % intervals. */
function forecastSvg(id: string, model: string, s: SeriesInput, f: Forecast, unit: string): string {
  const n = s.y.length;
  const step = n > 1 ? s.ds[1]! - s.ds[0]! : 60_000;
  const keep = Math.min(n, Math.max(12 * f.ds.length, Math.round((6 * 3_600_000) / step)));
  const t = Array.from(s.ds).slice(n - keep);
  const y = Array.from(s.y).slice(n - keep);
  // The forecast line starts at the last observation so the two join.
  const ft = [t[t.length - 1]!, ...f.ds];
  const fm = [y[y.length - 1]!, ...f.mean];
  const bands = [95, 80]
    .filter((l) => f.intervals[l])
    .map((l) => ({
      label: `${l} % interval`,
      color: l === 95 ? '#ff7f0e' : '#d62728',
      t: ft,
      lo: [fm[0]!, ...f.intervals[l]!.lo],
      hi: [fm[0]!, ...f.intervals[l]!.hi],
    }));
  return panelsSvg(`${model} forecast of ${id}`, [
    {
      title: `${id}: data and ${f.ds.length}-step forecast`,
      unit,
      lines: [
        { label: 'data', color: '#1f77b4', t, y },
        { label: `${model} forecast`, color: '#d62728', t: ft, y: fm, width: 2 },
      ],
      bands,
    },
  ]);
}
