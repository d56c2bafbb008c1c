import { createWriteStream, existsSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { join } from 'node:path';
import { DataNotFoundError, InputError, writeFileAtomic } from '@amf-foresight/core';
import type { Samples, SamplesStream, Stage } from '@amf-foresight/core';
import { samplesTable, seriesTable } from '../reader/read-samples.js';
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

function samplesMeta(s: Pick<Samples, 'window' | 'readFrom' | 'source'>) {
  return {
    kind: 'samples',
    start: s.window.start,
    end: s.window.end,
    read_from: s.readFrom,
    source: s.source,
    version: 1,
  };
}

/**
 * Writes a streamed read as `samples.parquet` (one row group per batch or more, zstd) and then
 * `series.parquet`, each through a temporary file and a rename. Only a batch and the label sets
 * are held: memory does not grow with the samples. Returns the counts.
 */
export async function writeSamplesStream(
  s: SamplesStream,
  paths: { samples: string; series: string },
): Promise<{ series: number; samples: number; bytes: number }> {
  const meta = samplesMeta(s);
  const labels: string[][] = [];
  let samples = 0;
  const it = s.batches()[Symbol.asyncIterator]();
  const batches = new ReadableStream({
    async pull(controller) {
      const n = await it.next();
      if (n.done) {
        controller.close();
        return;
      }
      const b = n.value;
      labels.push(...b.labels);
      samples += b.t.length;
      const t = pq.Table.fromIPCStream(tableToIPC(samplesTable(b.firstSeriesId, b.offsets, b.t, b.v), 'stream'));
      for (const rb of t.recordBatches()) controller.enqueue(rb);
    },
  });
  const props = new pq.WriterPropertiesBuilder()
    .setCompression(pq.Compression.ZSTD)
    .setKeyValueMetadata(new Map([[METADATA_KEY, JSON.stringify(meta)]]))
    .build();
  const out = (await pq.transformParquetStream(batches, props)) as ReadableStream<Uint8Array>;
  const tmp = `${paths.samples}.${process.pid}.tmp`;
  try {
    await pipeline(Readable.fromWeb(out), createWriteStream(tmp));
    renameSync(tmp, paths.samples);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  const bytes =
    statSync(paths.samples).size + writeParquetFile(paths.series, seriesTable(labels), { ...meta, kind: 'series' });
  return { series: labels.length, samples, bytes };
}

/** The files of a `Samples` value: `series.parquet` and `samples.parquet`, with the window in the metadata. */
export function samplesFiles(s: Samples): { name: string; data: Uint8Array }[] {
  const meta = samplesMeta(s);
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
