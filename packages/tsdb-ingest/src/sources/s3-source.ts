import type { Samples, Stage } from '@amf-foresight/core';
import { readBlocksInWindow, readLocalBlocks } from './local.js';
import { listS3Blocks, openS3Blocks } from './s3-inplace.js';
import type { S3ReadOptions } from './s3-inplace.js';
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
    run: async (_input, ctx) => {
      const w = o.window;
      const l = await listS3Blocks(o.read, ctx);
      for (const s of l.skipped) ctx.logger.info(`block ${s.ulid} skipped: ${s.reason}`);
      const where = `s3://${o.read.bucket}/${l.x.prefix}`;
      const q = {
        minTime: w.start - (w.readBefore ?? 0),
        maxTime: w.end,
        ...(w.matchers ? { matchers: w.matchers } : {}),
      };
      const samples = await readBlocksInWindow(
        w,
        l.blocks,
        (chosen) => openS3Blocks({ ...l, blocks: chosen }, q),
        where,
        ctx,
      );
      const t = l.transfer;
      ctx.logger.info(
        `fetched ${t.bytes} bytes in ${t.gets} GETs and ${t.lists} listings ` +
          `(index headers: ${t.headerHits} cached, ${t.headerMisses} fetched)`,
      );
      ctx.record({ transfer: { ...t } });
      return samples;
    },
  };
}
