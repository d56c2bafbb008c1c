import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataNotFoundError, InputError, writeFileAtomic } from '@amf-foresight/core';
import type { Samples, Stage } from '@amf-foresight/core';
import { Table, tableFromIPC, tableToIPC } from 'apache-arrow';
import * as pq from 'parquet-wasm';

/** Parquet key-value metadata key holding our JSON (DESIGN §3). */
export const METADATA_KEY = 'amf_foresight';

/** Parquet bytes (zstd) of an Arrow table, with our metadata. */
export function parquetBytes(table: Table, metadata: Record<string, unknown>): Uint8Array {
  const wasmTable = pq.Table.fromIPCStream(tableToIPC(table, 'stream'));
  const props = new pq.WriterPropertiesBuilder()
    .setCompression(pq.Compression.ZSTD)
    .setKeyValueMetadata(new Map([[METADATA_KEY, JSON.stringify(metadata)]]))
    .build();
  return pq.writeParquet(wasmTable, props);
}

/**
 * Writes an Arrow table as Parquet (zstd) with our metadata, through a temporary file and a
 * rename, so a reader never sees half a file and a failure leaves nothing behind.
 */
export function writeParquetFile(path: string, table: Table, metadata: Record<string, unknown>): number {
  const bytes = parquetBytes(table, metadata);
  writeFileAtomic(path, bytes);
  return bytes.length;
}

/** A Parquet file as an Arrow table with our metadata; a file that is not Parquet is PARQUET_UNREADABLE (exit 2). */
export function readParquetFile(path: string): { table: Table; metadata: Record<string, unknown> | undefined } {
  const bytes = readFileSync(path);
  let table: Table;
  let metadata: Record<string, unknown> | undefined;
  try {
    table = tableFromIPC(pq.readParquet(bytes).intoIPCStream());
    const raw = table.schema.metadata.get(METADATA_KEY);
    metadata = raw === undefined ? undefined : (JSON.parse(raw) as Record<string, unknown>);
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
    throw new InputError('PARQUET_UNREADABLE', `${path} is not a readable Parquet file: ${why}`, {
      file: path,
      hint: 'give a dataset written by generate (or any Parquet with unique_id, ds, y)',
    });
  }
  return { table, metadata };
}

/** The files of a `Samples` value: `series.parquet` and `samples.parquet`, with the window in the metadata. */
export function samplesFiles(s: Samples): { name: string; data: Uint8Array }[] {
  const meta = {
    kind: 'samples',
    start: s.window.start,
    end: s.window.end,
    read_from: s.readFrom,
    source: s.source,
    version: 1,
  };
  return [
    { name: 'series.parquet', data: parquetBytes(s.series, { ...meta, kind: 'series' }) },
    { name: 'samples.parquet', data: parquetBytes(s.samples, meta) },
  ];
}

/**
 * Reads the samples a run or `process` wrote to `dir`. Files of older versions carry no
 * `read_from`: then nothing was read before the window's start.
 */
export function readSamplesDir(dir: string): Samples {
  const samplesFile = join(dir, 'samples.parquet');
  const seriesFile = join(dir, 'series.parquet');
  if (!existsSync(samplesFile) || !existsSync(seriesFile)) {
    throw new DataNotFoundError('NO_SAMPLES', `no samples in ${dir}`, {
      file: samplesFile,
      hint: 'run the process step first: amf-foresight process --start … --end …, or add --process to this run',
    });
  }
  const samples = readParquetFile(samplesFile);
  const series = readParquetFile(seriesFile);
  const m = samples.metadata ?? {};
  const range = sampleRange(samples.table, samplesFile);
  const start = typeof m['start'] === 'number' ? m['start'] : range.first;
  const end = typeof m['end'] === 'number' ? m['end'] : range.last;
  const readFrom = typeof m['read_from'] === 'number' ? m['read_from'] : start;
  return {
    kind: 'samples',
    series: series.table,
    samples: samples.table,
    window: { start, end },
    readFrom,
    source: typeof m['source'] === 'string' ? m['source'] : dir,
  };
}

/** First and last sample time (ms) of a samples table; no samples is data not found. */
export function sampleRange(samples: Table, file: string): { first: number; last: number } {
  const ts = samples.getChild('t')!.toArray() as BigInt64Array;
  if (ts.length === 0) throw new DataNotFoundError('NO_SAMPLES', `${file} holds no samples`, { file });
  let first = Infinity;
  let last = -Infinity;
  for (const t of ts) {
    const n = Number(t);
    if (n < first) first = n;
    if (n > last) last = n;
  }
  return { first, last };
}

/** Samples from a directory written earlier, as a stage (the prototype's `--generate` alone). */
export function samplesDirSource(dir: string): Stage<unknown, Samples> {
  return {
    name: 'samples',
    run: (_input, ctx) => {
      const s = readSamplesDir(dir);
      ctx.record({ dir, window: [s.window.start, s.window.end] });
      ctx.logger.debug(`samples from ${dir}`);
      return Promise.resolve(s);
    },
  };
}
