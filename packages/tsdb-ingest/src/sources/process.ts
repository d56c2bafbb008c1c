import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataNotFoundError, UsageError, formatTime, silentLogger, writeFilesAtomic } from '@amf-foresight/core';
import type { RunContext, Stage } from '@amf-foresight/core';
import { listBlocks, openBlockSync } from '../reader/block.js';
import { querySamples } from '../reader/query.js';
import { toTables } from '../reader/read-samples.js';
import { parquetBytes } from './parquet.js';

export interface ProcessOptions {
  /** Block cache, Prometheus data directory or snapshot (blocks only are read). */
  dataDir: string;
  /** Window, ms, both ends inclusive. */
  start: number;
  end: number;
  /** PromQL selector; every series when absent. */
  matchers?: string;
  /** Where samples.parquet and series.parquet are written. */
  outDir: string;
}

export interface ProcessResult {
  samplesFile: string;
  seriesFile: string;
  series: number;
  samples: number;
  blocksRead: number;
  /** The range the data directory holds: min minTime and max maxTime of its blocks. */
  available: { minTime: number; maxTime: number };
  warnings: string[];
}

/**
 * Decodes every block of `dataDir` that overlaps the window into `samples.parquet` and
 * `series.parquet` (the samples contract, DESIGN §3). A window outside the available range
 * is DATA_OUT_OF_RANGE (exit 3), and the message states the range.
 */
export async function processBlocks(o: ProcessOptions, ctx: Partial<RunContext> = {}): Promise<ProcessResult> {
  const log = ctx.logger ?? silentLogger;
  if (!(o.start < o.end)) throw new UsageError('BAD_WINDOW', `--start ${formatTime(o.start)} must be before --end ${formatTime(o.end)}`, { flag: '--start' });
  const listing = listBlocks(o.dataDir);
  for (const ig of listing.ignored) log.debug(`note: ${ig.name} is not read: ${ig.reason}`);
  if (listing.blocks.length === 0) {
    throw new DataNotFoundError('NO_BLOCKS', 'no TSDB blocks found', { file: o.dataDir, hint: 'run the download step first (amf-foresight download) or point --local-path at a Prometheus data directory' });
  }
  const available = {
    minTime: Math.min(...listing.blocks.map((b) => b.meta.minTime)),
    maxTime: Math.max(...listing.blocks.map((b) => b.meta.maxTime)) - 1,
  };
  log.debug(`available data: ${formatTime(available.minTime)} to ${formatTime(available.maxTime)} UTC in ${listing.blocks.length} blocks of ${o.dataDir}`);
  const inWindow = listing.blocks.filter((b) => b.meta.minTime <= o.end && o.start < b.meta.maxTime);
  if (inWindow.length === 0) {
    throw new DataNotFoundError('DATA_OUT_OF_RANGE', `no data between ${formatTime(o.start)} and ${formatTime(o.end)}: the blocks hold ${formatTime(available.minTime)} to ${formatTime(available.maxTime)} (UTC)`, {
      file: o.dataDir,
      hint: 'choose --start and --end inside that range',
    });
  }
  const blocks = inWindow.map((b) => openBlockSync(b.dir, b.meta));
  const r = querySamples(blocks, { minTime: o.start, maxTime: o.end, ...(o.matchers !== undefined ? { matchers: o.matchers } : {}) });
  for (const w of r.warnings) log.warn(w);
  const { series, samples } = toTables(r);
  mkdirSync(o.outDir, { recursive: true });
  const meta = { kind: 'samples', start: o.start, end: o.end, matchers: o.matchers ?? null, source: o.dataDir, blocks: inWindow.map((b) => b.meta.ulid), version: 1 };
  const seriesFile = join(o.outDir, 'series.parquet');
  const samplesFile = join(o.outDir, 'samples.parquet');
  // Both files or neither: a reader never pairs new samples with old series.
  writeFilesAtomic([
    { path: seriesFile, data: parquetBytes(series, { ...meta, kind: 'series' }) },
    { path: samplesFile, data: parquetBytes(samples, meta) },
  ]);
  log.info(`wrote ${r.stats.samples} samples of ${r.stats.seriesMatched} series from ${inWindow.length} blocks to ${o.outDir}`);
  return { samplesFile, seriesFile, series: r.stats.seriesMatched, samples: r.stats.samples, blocksRead: inWindow.length, available, warnings: r.warnings };
}

export function processStage(o: ProcessOptions): Stage<unknown, ProcessResult> {
  return { name: 'process', run: (_input, ctx) => processBlocks(o, ctx) };
}
