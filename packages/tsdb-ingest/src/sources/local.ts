import { DataNotFoundError, UsageError, formatTime, silentLogger, silentProgress } from '@amf-foresight/core';
import type { RunContext, Samples, SamplesStream, Stage } from '@amf-foresight/core';
import type { Table } from 'apache-arrow';
import { querySampleBatches } from '../reader/stream.js';
import { listBlocks, openBlockSync } from '../reader/block.js';
import type { Block } from '../reader/block.js';
import type { BlockMeta } from '../reader/meta.js';
import { querySamples } from '../reader/query.js';
import { noBlocksError, seriesTable, toTables } from '../reader/read-samples.js';
import { querySeries } from '../reader/series.js';

export interface WindowOptions {
  /** Window, ms, both ends inclusive. */
  start: number;
  end: number;
  /** PromQL selector; every series when absent. */
  matchers?: string;
  /**
   * Also read this much before `start` (ms): the rate window or instant lookback of the features
   * built later, so that their first grid points see the data Prometheus would (default 0).
   */
  readBefore?: number;
}

export interface LocalSourceOptions extends WindowOptions {
  /** Block cache, Prometheus data directory or snapshot (blocks only are read). */
  dataDir: string;
}

export function checkWindowOrder(start: number, end: number): void {
  if (!(start < end))
    throw new UsageError('BAD_WINDOW', `--start ${formatTime(start)} must be before --end ${formatTime(end)}`, {
      flag: '--start',
    });
}

/**
 * Decodes the blocks of `dataDir` that overlap the window (from `start − readBefore`) into the
 * samples tables (DESIGN §3), in memory. A window wholly outside the data is DATA_OUT_OF_RANGE
 * (exit 3) stating the range; one partly outside is read, with one warning and the clipping
 * recorded in the run.
 */
export async function readLocalBlocks(o: LocalSourceOptions, ctx: Partial<RunContext> = {}): Promise<Samples> {
  return readBlocksInWindow(o, listLocal(o, ctx), openLocal, o.dataDir, ctx);
}

/** The series (labels) readLocalBlocks would return, from the blocks' indexes alone (see querySeries). */
export async function readLocalSeries(o: LocalSourceOptions, ctx: Partial<RunContext> = {}): Promise<Table> {
  return seriesInWindow(o, listLocal(o, ctx), openLocal, o.dataDir, ctx);
}

function listLocal(o: LocalSourceOptions, ctx: Partial<RunContext>) {
  checkWindowOrder(o.start, o.end);
  const listing = listBlocks(o.dataDir);
  for (const ig of listing.ignored) (ctx.logger ?? silentLogger).debug(`note: ${ig.name} is not read: ${ig.reason}`);
  if (listing.blocks.length === 0) throw noBlocksError(o.dataDir, listing);
  return listing.blocks;
}

const openLocal = (chosen: { dir: string; meta: BlockMeta }[]) =>
  Promise.resolve(chosen.map((b) => openBlockSync(b.dir, b.meta)));

/**
 * The window logic of readBlocksInWindow for the series alone: the label sets of the series with a
 * chunk in the window (and the read before it), as the samples contract's series table.
 */
export async function seriesInWindow<B extends { meta: BlockMeta }>(
  o: WindowOptions,
  listed: readonly B[],
  open: (chosen: B[]) => Promise<Block[]>,
  source: string,
  ctx: Partial<RunContext> = {},
): Promise<Table> {
  const { inWindow, readFrom } = planWindow(o, listed, source, ctx);
  const labels = querySeries(await open(inWindow), {
    minTime: readFrom,
    maxTime: o.end,
    ...(o.matchers !== undefined ? { matchers: o.matchers } : {}),
  });
  if (labels.length === 0) throw noSeriesError(o, source);
  (ctx.logger ?? silentLogger).info(`listed ${labels.length} series in ${inWindow.length} blocks of ${source}`);
  return seriesTable(labels);
}

/**
 * The window logic every block source shares: the range available, the blocks the window (and
 * the read before it) overlaps, opened by `open`, then decoded; errors and records as above.
 */
export async function readBlocksInWindow<B extends { meta: BlockMeta }>(
  o: WindowOptions,
  listed: readonly B[],
  open: (chosen: B[]) => Promise<Block[]>,
  source: string,
  ctx: Partial<RunContext> = {},
): Promise<Samples> {
  const log = ctx.logger ?? silentLogger;
  const progress = ctx.progress ?? silentProgress;
  const { inWindow, readFrom } = planWindow(o, listed, source, ctx);
  const blocks = await open(inWindow);
  progress.start('process', blocks.length, 'blocks');
  let shown = 0;
  const r = querySamples(blocks, {
    minTime: readFrom,
    maxTime: o.end,
    ...(o.matchers !== undefined ? { matchers: o.matchers } : {}),
    onBlock: (done) => {
      progress.advance(done - shown);
      shown = done;
    },
  });
  progress.done(`${r.stats.samples} samples of ${r.stats.seriesMatched} series`);
  if (r.stats.seriesMatched === 0) throw noSeriesError(o, source);
  for (const w of r.warnings) log.warn(w);
  log.info(
    `read ${r.stats.samples} samples of ${r.stats.seriesMatched} series from ${inWindow.length} blocks of ${source}`,
  );
  ctx.record?.({
    series: r.stats.seriesMatched,
    samples: r.stats.samples,
    blocksRead: inWindow.length,
    window: [formatTime(o.start), formatTime(o.end)],
    readFrom: formatTime(readFrom),
    source,
  });
  return { kind: 'samples', ...toTables(r), window: { start: o.start, end: o.end }, readFrom, source };
}

/** The blocks a window (and the read before it) overlaps, or DATA_OUT_OF_RANGE; a clipped window is noted. */
function planWindow<B extends { meta: BlockMeta }>(
  o: WindowOptions,
  listed: readonly B[],
  source: string,
  ctx: Partial<RunContext>,
): { inWindow: B[]; readFrom: number } {
  checkWindowOrder(o.start, o.end);
  const available = {
    minTime: Math.min(...listed.map((b) => b.meta.minTime)),
    maxTime: Math.max(...listed.map((b) => b.meta.maxTime)) - 1,
  };
  const range = `${formatTime(available.minTime)} to ${formatTime(available.maxTime)}`;
  (ctx.logger ?? silentLogger).debug(`available data: ${range} UTC in ${listed.length} blocks of ${source}`);
  const readFrom = o.start - (o.readBefore ?? 0);
  const inWindow = listed.filter((b) => b.meta.minTime <= o.end && readFrom < b.meta.maxTime);
  if (!inWindow.some((b) => b.meta.minTime <= o.end && o.start < b.meta.maxTime)) {
    throw new DataNotFoundError(
      'DATA_OUT_OF_RANGE',
      `no data between ${formatTime(o.start)} and ${formatTime(o.end)}: the blocks hold ${range} (UTC)`,
      { file: source, hint: 'choose --start and --end inside that range' },
    );
  }
  noteClipping(o, available, range, ctx);
  return { inWindow, readFrom };
}

function noSeriesError(o: WindowOptions, source: string): DataNotFoundError {
  return new DataNotFoundError(
    'NO_SERIES_MATCHED',
    `no series ${o.matchers !== undefined ? `match ${o.matchers} ` : ''}between ${formatTime(o.start)} ` +
      `and ${formatTime(o.end)}`,
    { file: source, flag: '--match', hint: 'check the selector, or list the series with amf-foresight tsdb dump' },
  );
}

/**
 * The blocks of `dataDir` in the window as a stream: the window is checked now, the blocks are
 * decoded when the runner's writer iterates the batches (segments through a sliding window), so
 * memory is a batch's, whatever the window holds.
 */
export function streamLocalBlocks(o: LocalSourceOptions, ctx: Partial<RunContext> = {}): SamplesStream {
  checkWindowOrder(o.start, o.end);
  const listing = listBlocks(o.dataDir);
  if (listing.blocks.length === 0) throw noBlocksError(o.dataDir, listing);
  const { inWindow, readFrom } = planWindow(o, listing.blocks, o.dataDir, ctx);
  const log = ctx.logger ?? silentLogger;
  ctx.record?.({
    blocksRead: inWindow.length,
    window: [formatTime(o.start), formatTime(o.end)],
    readFrom: formatTime(readFrom),
    source: o.dataDir,
    streamed: true,
  });
  const summary = { series: 0, samples: 0 };
  return {
    summary,
    kind: 'samples-stream',
    window: { start: o.start, end: o.end },
    readFrom,
    source: o.dataDir,
    async *batches() {
      const blocks = inWindow.map((b) => openBlockSync(b.dir, b.meta, { window: SEGMENT_WINDOW }));
      const q = { minTime: readFrom, maxTime: o.end, ...(o.matchers !== undefined ? { matchers: o.matchers } : {}) };
      const progress = ctx.progress ?? silentProgress;
      progress.start('process', 100, '%');
      let shown = 0;
      const gen = querySampleBatches(blocks, {
        ...q,
        onProgress: (done, total) => {
          const pct = Math.floor((100 * done) / Math.max(1, total));
          progress.advance(pct - shown);
          shown = pct;
        },
      });
      let series = 0;
      for (;;) {
        const n = gen.next();
        if (n.done) {
          if (series === 0) throw noSeriesError(o, o.dataDir);
          progress.done(`${n.value.stats.samples} samples of ${series} series`);
          for (const w of n.value.warnings) log.warn(w);
          Object.assign(summary, { series, samples: n.value.stats.samples });
          log.info(
            `read ${n.value.stats.samples} samples of ${series} series from ${blocks.length} blocks of ${o.dataDir}`,
          );
          return;
        }
        series += n.value.labels.length;
        yield n.value;
        // Let a Ctrl-C and other I/O in between batches.
        await new Promise((r) => setImmediate(r));
      }
    },
  };
}

/** Bytes of a chunk segment held at once by a streamed read. */
const SEGMENT_WINDOW = 8 << 20;

/** A window reaching past the data: one warning line with the available range, and a note in run.json. */
function noteClipping(
  o: WindowOptions,
  available: { minTime: number; maxTime: number },
  range: string,
  ctx: Partial<RunContext>,
): void {
  if (o.start >= available.minTime && o.end <= available.maxTime) return;
  const from = Math.max(o.start, available.minTime);
  const to = Math.min(o.end, available.maxTime);
  (ctx.logger ?? silentLogger).warn(
    `the window ${formatTime(o.start)} to ${formatTime(o.end)} reaches outside the data (${range} ` +
      `UTC): only ${formatTime(from)} to ${formatTime(to)} has data`,
  );
  ctx.record?.({
    clipped: {
      asked: [formatTime(o.start), formatTime(o.end)],
      available: [formatTime(available.minTime), formatTime(available.maxTime)],
      used: [formatTime(from), formatTime(to)],
    },
  });
}

/** The local-directory source as a stage: no input, `Samples` out (or, with `stream`, a `SamplesStream`). */
export function localSource(o: LocalSourceOptions & { stream?: false }): Stage<unknown, Samples>;
export function localSource(o: LocalSourceOptions & { stream: true }): Stage<unknown, SamplesStream>;
export function localSource(o: LocalSourceOptions & { stream?: boolean }): Stage<unknown, Samples | SamplesStream> {
  return {
    name: 'process',
    run: (_input, ctx) => (o.stream ? Promise.resolve(streamLocalBlocks(o, ctx)) : readLocalBlocks(o, ctx)),
  };
}
