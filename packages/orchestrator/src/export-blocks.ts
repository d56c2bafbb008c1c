import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { isUlid } from '@amf-foresight/tsdb-ingest/reader';
import { blockFiles, encodeBlocks } from '@amf-foresight/tsdb-ingest/writer';
import type { SeriesToWrite } from '@amf-foresight/tsdb-ingest/writer';
import type { ArtifactWriter } from './artifacts.js';
import { fleetSeries, trainedSeries } from './forecast-series.js';
import type { Fleet } from './fleet.js';
import type { Sink } from './plan.js';
import type { Trained } from './train.js';
import { parseS3Url, uploadBlocks } from './upload.js';

/** Where a run keeps the blocks of its forecasts. */
export const RUN_BLOCKS_DIR = 'blocks';

/** blocks/<ULID>/…: the output's forecasts (and recommendations) as Prometheus TSDB blocks. */
function seriesBlocksWriter<T extends { kind: string }>(
  kind: T['kind'],
  toSeries: (v: T) => SeriesToWrite[],
): ArtifactWriter<T> {
  return {
    kind,
    write: (v, store) => {
      const files = [];
      const names: string[] = [];
      for (const b of encodeBlocks(toSeries(v))) {
        names.push(`${RUN_BLOCKS_DIR}/${b.ulid}/`);
        for (const f of blockFiles(b)) files.push({ name: `${RUN_BLOCKS_DIR}/${b.ulid}/${f.name}`, data: f.data });
      }
      store.write(files);
      return Promise.resolve(names);
    },
  };
}

export const trainedBlocksWriter = (): ArtifactWriter<Trained> => seriesBlocksWriter('trained', trainedSeries);
export const fleetBlocksWriter = (): ArtifactWriter<Fleet> => seriesBlocksWriter('fleet', fleetSeries);

/** The block directories of a run. */
export function runBlocks(runDir: string): string[] {
  const dir = join(runDir, RUN_BLOCKS_DIR);
  return existsSync(dir) ? readdirSync(dir).filter(isUlid) : [];
}

/**
 * Copies the run's blocks into the data directory `dir` (a Prometheus --storage.tsdb.path, or one
 * a Thanos sidecar or store reads), each under `<ULID>.tmp-for-creation` first and then renamed.
 */
export function exportBlocksSink(dir: string): Sink {
  return {
    name: 'export-blocks',
    run: (runDir, ctx) => {
      mkdirSync(dir, { recursive: true });
      const ulids = runBlocks(runDir);
      for (const u of ulids) {
        const tmp = join(dir, `${u}.tmp-for-creation`);
        try {
          cpSync(join(runDir, RUN_BLOCKS_DIR, u), tmp, { recursive: true });
          renameSync(tmp, join(dir, u));
        } catch (e) {
          rmSync(tmp, { recursive: true, force: true });
          throw e;
        }
      }
      ctx.logger.info(`exported ${ulids.length} blocks to ${dir}`);
      return Promise.resolve({ dir, blocks: ulids.length });
    },
  };
}

/** Uploads the run's blocks to s3://bucket/prefix/<ULID>/ in Thanos's layout (meta.json of each last). */
export function uploadBlocksSink(url: string, clientConfig: S3ClientConfig): Sink {
  parseS3Url(url);
  return {
    name: 'upload-blocks',
    run: async (runDir, ctx) => {
      const r = await uploadBlocks(join(runDir, RUN_BLOCKS_DIR), url, clientConfig, ctx);
      return { url, ...r };
    },
  };
}

/** The sinks of --export-blocks: the copy into a data directory, and the upload when the run is uploaded. */
export function blockSinks(dir: string | undefined, upload?: { url: string; clientConfig: S3ClientConfig }): Sink[] {
  return [
    ...(dir !== undefined ? [exportBlocksSink(dir)] : []),
    ...(upload ? [uploadBlocksSink(upload.url, upload.clientConfig)] : []),
  ];
}
