import { silentLogger } from '@amf-foresight/core';
import type { RunContext, Samples, Stage } from '@amf-foresight/core';
import { readBlocksInWindow, readLocalBlocks, seriesInWindow } from './local.js';
import { listS3Blocks, openS3Blocks } from './s3-inplace.js';
import type { S3Listing, S3ReadOptions } from './s3-inplace.js';
import type { WindowOptions } from './local.js';
import { syncFromS3 } from './s3-sync.js';
import type { S3SyncOptions } from './s3-sync.js';

/**
 * S3 as a source stage: the blocks overlapping the window (from `start − readBefore`) are synced
 * into the cache, then read from there like a local data directory.
 */
export function s3Source(o: {
  sync: Omit<S3SyncOptions, 'minTime' | 'maxTime'>;
  window: WindowOptions;
}): Stage<unknown, Samples> {
  return {
    name: 'download+process',
    run: async (_input, ctx) => {
      const w = o.window;
      const r = await syncFromS3({ ...o.sync, minTime: w.start - (w.readBefore ?? 0), maxTime: w.end }, ctx);
      ctx.record({
        download: {
          cacheDir: o.sync.cacheDir,
          blocks: r.blocks.length,
          files: r.filesDownloaded,
          bytes: r.bytesDownloaded,
        },
      });
      return readLocalBlocks({ ...w, dataDir: o.sync.cacheDir }, ctx);
    },
  };
}

/**
 * S3 read in place as a source stage: only the index headers (cached), postings, series and
 * chunks the window and matchers need are fetched; nothing is written to the block cache.
 */
export function s3InPlaceSource(o: { read: S3ReadOptions; window: WindowOptions }): Stage<unknown, Samples> {
  return {
    name: 'process',
    run: (_input, ctx) =>
      inPlace(o, ctx, (l, q, where) =>
        readBlocksInWindow(o.window, l.blocks, (chosen) => openS3Blocks({ ...l, blocks: chosen }, q), where, ctx),
      ),
  };
}

/** The series (labels) s3InPlaceSource would read, from the indexes alone: no chunk is fetched. */
export function s3InPlaceSeries(o: { read: S3ReadOptions; window: WindowOptions }, ctx: Partial<RunContext> = {}) {
  return inPlace(o, ctx, (l, q, where) =>
    seriesInWindow(
      o.window,
      l.blocks,
      (chosen) => openS3Blocks({ ...l, blocks: chosen }, { ...q, chunks: false }),
      where,
      ctx,
    ),
  );
}

/** Lists the blocks, reads them with `read`, and says (and records) what was fetched. */
async function inPlace<T>(
  o: { read: S3ReadOptions; window: WindowOptions },
  ctx: Partial<RunContext>,
  read: (l: S3Listing, q: { minTime: number; maxTime: number; matchers?: string }, where: string) => Promise<T>,
): Promise<T> {
  const log = ctx.logger ?? silentLogger;
  const w = o.window;
  const l = await listS3Blocks(o.read, ctx);
  for (const s of l.skipped) log.info(`block ${s.ulid} skipped: ${s.reason}`);
  const out = await read(
    l,
    { minTime: w.start - (w.readBefore ?? 0), maxTime: w.end, ...(w.matchers ? { matchers: w.matchers } : {}) },
    `s3://${o.read.bucket}/${l.x.prefix}`,
  );
  const t = l.transfer;
  log.info(
    `fetched ${t.bytes} bytes in ${t.gets} GETs and ${t.lists} listings ` +
      `(index headers: ${t.headerHits} cached, ${t.headerMisses} fetched)`,
  );
  ctx.record?.({ transfer: { ...t } });
  return out;
}
