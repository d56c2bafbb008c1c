import type { Samples, Stage } from '@amf-foresight/core';
import { readLocalBlocks } from './local.js';
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
