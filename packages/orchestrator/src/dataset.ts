import { existsSync, statSync } from 'node:fs';
import { Table } from 'apache-arrow';
import { float64Vector, timestampMsVector, utf8Vector } from '@amf-foresight/core/arrow';
import type { Vector } from 'apache-arrow';
import { DataNotFoundError, InputError } from '@amf-foresight/core';
import type { Dataset, Forecast, SeriesInput, Stage } from '@amf-foresight/core';
import { summarise } from '@amf-foresight/features';
import { readParquetFile } from '@amf-foresight/tsdb-ingest/parquet';

/** The columns of ours (unique_id, ds, y) or of the prototype's layout (container, date_col, values). */
function columnsOf(table: Table, file: string): { id: string; ds: string; y: string } {
  const names = table.schema.fields.map((f) => f.name);
  if (names.includes('ds') && names.includes('y')) return { id: 'unique_id', ds: 'ds', y: 'y' };
  if (names.includes('date_col') && names.includes('values')) return { id: 'container', ds: 'date_col', y: 'values' };
  throw new InputError(
    'DATASET_COLUMNS',
    `dataset ${file} has neither (unique_id, ds, y) nor the prototype's (date_col, values) columns; ` +
      `it has ${names.join(', ')}`,
    { file },
  );
}

/** Reads a dataset Parquet file: ours, or the prototype's layout (then as ours: unique_id, ds, y). */
export function readDatasetFile(file: string): Dataset {
  if (!existsSync(file))
    throw new DataNotFoundError('NO_DATASET', `dataset ${file} does not exist`, {
      file,
      flag: '--data',
      hint: 'run generate first, or pass --data FILE',
    });
  if (!statSync(file).isFile())
    throw new InputError('DATASET_NOT_A_FILE', `dataset ${file} is not a file`, { file, flag: '--data' });
  const { table, metadata } = readParquetFile(file);
  const cols = columnsOf(table, file);
  const ids = table.getChild(cols.id)
    ? (Array.from(table.getChild(cols.id)!) as (string | null)[]).map((x) => x ?? 'series')
    : new Array<string>(table.numRows).fill('series');
  const ds = Array.from(table.getChild(cols.ds)!, (v) => Number(v));
  let [start, end] = [Infinity, -Infinity];
  for (const t of ds) [start, end] = [Math.min(start, t), Math.max(end, t)];
  // Before March 1973 in milliseconds: the numbers are seconds (or smaller units) since 1970.
  if (ds.length > 0 && end < 1e11)
    throw new InputError(
      'DATASET_TIMES_IN_SECONDS',
      `ds of ${file} runs from ${new Date(start).toISOString()} to ${new Date(end).toISOString()}: ` +
        'numbers this small are seconds since 1970, not milliseconds',
      { file, hint: 'write ds as a timestamp column, or as milliseconds since 1970' },
    );
  const y = Array.from(table.getChild(cols.y)!, (v) => (v === null ? null : Number(v)));
  const t = new Table({
    unique_id: utf8Vector(ids),
    ds: timestampMsVector(ds),
    y: float64Vector(y),
  });
  const series = [...new Set(ids)].map((id) =>
    summarise(id, Float64Array.from(ids.flatMap((x, i) => (x === id ? [y[i] ?? NaN] : []))), []),
  );
  return {
    kind: 'dataset',
    table: t,
    metadata: { ...(metadata ?? {}), source: file },
    summary: { rows: t.numRows, start, end, series },
  };
}

/** A dataset file as a source stage (`train --data FILE`). */
export function datasetFileSource(file: string): Stage<unknown, Dataset> {
  return {
    name: 'dataset',
    run: (_input, ctx) => {
      const d = readDatasetFile(file);
      ctx.record({ file, rows: d.summary.rows, series: d.summary.series.length });
      return Promise.resolve(d);
    },
  };
}

/** The ids of a dataset's series, in order of first appearance. */
export function seriesIds(d: Dataset): string[] {
  return [...new Set(Array.from(d.table.getChild('unique_id')!) as string[])];
}

/** One series of a dataset: `seriesId`, or the first. */
export function pickSeries(d: Dataset, seriesId?: string): { id: string; series: SeriesInput } {
  const all = seriesIds(d);
  const file = typeof d.metadata['source'] === 'string' ? d.metadata['source'] : 'the dataset';
  const id = seriesId ?? all[0];
  if (id === undefined || !all.includes(id))
    throw new DataNotFoundError(
      'NO_SERIES',
      `series ${JSON.stringify(seriesId ?? '')} is not in ${file}; it has ${all.slice(0, 8).join(', ') || 'none'}`,
      { flag: '--series' },
    );
  const ids = d.table.getChild('unique_id')!;
  const dsCol = d.table.getChild('ds')!;
  const yCol = d.table.getChild('y')!;
  const ds: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < d.table.numRows; i++) {
    if (ids.get(i) !== id) continue;
    ds.push(Number(dsCol.get(i)));
    y.push((yCol.get(i) as number | null) ?? NaN);
  }
  if (ds.length === 0) throw new DataNotFoundError('EMPTY_SERIES', `series ${id} of ${file} is empty`, {});
  return { id, series: { ds, y } };
}

/** Reads one series from a dataset Parquet file: ours or the prototype's layout. */
export function readSeries(file: string, seriesId?: string): { id: string; series: SeriesInput } {
  return pickSeries(readDatasetFile(file), seriesId);
}

/** A forecast as a table: unique_id, ds, <model>, <model>-lo-<level>, <model>-hi-<level>. */
export function forecastTable(id: string, model: string, f: Forecast): Table {
  const cols: Record<string, Vector> = {
    unique_id: utf8Vector(new Array<string>(f.ds.length).fill(id)),
    ds: timestampMsVector(f.ds),
    [model]: float64Vector(f.mean),
  };
  for (const [level, { lo, hi }] of Object.entries(f.intervals)) {
    cols[`${model}-lo-${level}`] = float64Vector(lo);
    cols[`${model}-hi-${level}`] = float64Vector(hi);
  }
  return new Table(cols);
}
