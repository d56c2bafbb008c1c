import type { Argv, CommandModule } from 'yargs';
import { checkWindow, parseTime } from '@amf-foresight/core';
import { Plan, runPlan } from '@amf-foresight/orchestrator';
import { s3SyncStage } from '@amf-foresight/tsdb-ingest/s3';
import { s3FromArgs } from '../config.js';
import { withCommand } from '../run.js';
import type { Io } from '../io.js';
import type { ArgsOf, CommonArgs } from '../run.js';

/** How to reach an S3 API other than AWS's: the download, the fleet's upload and tsdb upload share them. */
export function s3ConnectionOptions<T>(y: Argv<T>) {
  return y
    .option('endpoint', { type: 'string', describe: 'S3 endpoint for MinIO/Ceph/… (env: AWS_ENDPOINT_URL)' })
    .option('path-style', { type: 'boolean', describe: 'Path-style addressing (default: on when an endpoint is set)' });
}

export function downloadOptions<T>(y: Argv<T>) {
  return s3ConnectionOptions(y)
    .option('bucket', { type: 'string', describe: 'S3 bucket holding the blocks (env: bucket, AMF_FORESIGHT_BUCKET)' })
    .option('prefix', {
      type: 'string',
      describe: 'Key prefix above the block directories (env: prefix, AMF_FORESIGHT_PREFIX)',
    })
    .option('local-path', {
      type: 'string',
      describe: 'Local block cache (env: local_path, AMF_FORESIGHT_CACHE_DIR; default data/blocks)',
    })
    .option('block', { type: 'string', describe: 'Only this block ULID (env: block)' })
    .option('concurrency', { type: 'number', default: 4, describe: 'Files downloaded at once' });
}

function downloadCmdOptions(y: Argv<CommonArgs>) {
  return downloadOptions(y)
    .option('start', {
      type: 'string',
      describe: 'Only blocks overlapping this window: start, "YYYY-MM-DD HH:MM:SS" UTC',
    })
    .option('end', { type: 'string', describe: 'Window end' })
    .example('bucket=my-bucket prefix=prometheus local_path=./blocks $0 download', "the prototype's env vars")
    .example(
      '$0 download --bucket b --prefix p --start "2023-06-06 14:00:00" --end "2023-06-06 16:00:00"',
      'only the blocks of a window',
    );
}

export function downloadCommand(
  io: Io,
  setResult: (code: number) => void,
): CommandModule<CommonArgs, ArgsOf<ReturnType<typeof downloadCmdOptions>>> {
  return {
    command: 'download',
    describe:
      'Sync TSDB blocks from s3://bucket/prefix/<ULID>/ into the local cache (only whole blocks ' +
      'appear; re-runs resume)',
    builder: downloadCmdOptions,
    handler: async (argv) => {
      const s = s3FromArgs(argv);
      const start = argv.start !== undefined ? parseTime(argv.start, '--start') : undefined;
      const end = argv.end !== undefined ? parseTime(argv.end, '--end') : undefined;
      if (start !== undefined && end !== undefined) checkWindow(start, end);
      const stage = s3SyncStage({
        bucket: s.bucket,
        prefix: s.prefix,
        cacheDir: s.cacheDir,
        clientConfig: s.clientConfig,
        concurrency: argv.concurrency,
        ...(s.block !== undefined ? { block: s.block } : {}),
        // 5 minutes more: the rate window a later process reads before --start.
        ...(start !== undefined ? { minTime: start - 300_000 } : {}),
        ...(end !== undefined ? { maxTime: end } : {}),
      });
      const r = (await withCommand(io, argv, undefined, (ctx) => runPlan(Plan.of(stage), {}, ctx))).output;
      const count = (st: string) => r.blocks.filter((b) => b.status === st).length;
      const summary = {
        cacheDir: s.cacheDir,
        downloaded: count('downloaded'),
        cached: count('cached'),
        skippedPartial: count('partial'),
        skippedDeletionMarked: count('deletion-marked'),
        outsideWindow: count('outside-window'),
        refused: count('refused'),
        files: r.filesDownloaded,
        bytes: r.bytesDownloaded,
      };
      if (argv.output === 'json') io.out(JSON.stringify({ ...summary, blocks: r.blocks }) + '\n');
      else if (!argv.quiet)
        io.err(
          `${s.cacheDir}: ${summary.downloaded} blocks downloaded (${r.bytesDownloaded} bytes), ` +
            `${summary.cached} already there, ${summary.skippedPartial} partial and ` +
            `${summary.skippedDeletionMarked} deletion-marked skipped\n`,
        );
      setResult(0);
    },
  };
}
