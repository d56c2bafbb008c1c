import type { Argv } from 'yargs';
import { DataNotFoundError, UsageError, checkpoint } from '@amf-foresight/core';
import { dumpText, listBlocks, openBlocksFor, querySamples } from '@amf-foresight/tsdb-ingest/reader';
import type { BlockMeta } from '@amf-foresight/tsdb-ingest/reader';
import { uploadBlocks } from '@amf-foresight/orchestrator';
import { s3FromArgs } from '../config.js';
import { s3ConnectionOptions } from './download.js';
import type { Io } from '../io.js';

function msFlag(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const s = value.trim();
  if (!/^-?\d+$/.test(s) || !Number.isSafeInteger(Number(s))) {
    throw new UsageError(
      'BAD_TIME',
      `${flag} must be a timestamp in milliseconds since the epoch, got ${JSON.stringify(value)}`,
      {
        flag,
        hint: `for example ${flag} 1700000000000`,
      },
    );
  }
  return Number(s);
}

function isoMs(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

function duration(ms: number): string {
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  return `${h > 0 ? `${h}h` : ''}${h > 0 || m > 0 ? `${m}m` : ''}${s}s`;
}

/** The blocks as an aligned text table, one line per block. */
function blocksTable(metas: BlockMeta[]): string {
  const rows = [['BLOCK ULID', 'MIN TIME', 'MAX TIME', 'DURATION', 'SERIES', 'SAMPLES', 'CHUNKS', 'LEVEL']];
  for (const meta of metas) {
    rows.push([
      meta.ulid,
      `${meta.minTime} (${isoMs(meta.minTime)})`,
      `${meta.maxTime} (${isoMs(meta.maxTime)})`,
      duration(meta.maxTime - meta.minTime),
      String(meta.stats.numSeries),
      String(meta.stats.numSamples),
      String(meta.stats.numChunks),
      String(meta.compaction.level),
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map(
      (r) =>
        r
          .map((cell, c) => cell.padEnd(widths[c]!))
          .join('  ')
          .trimEnd() + '\n',
    )
    .join('');
}

interface DumpArgs {
  dir: string;
  'min-time'?: string | undefined;
  'max-time'?: string | undefined;
  match?: string | undefined;
  'strict-window': boolean;
}

async function dump(argv: DumpArgs, io: Io): Promise<void> {
  const minTime = msFlag(argv['min-time'], '--min-time');
  const maxTime = msFlag(argv['max-time'], '--max-time');
  const blocks = openBlocksFor(argv.dir, {
    ...(minTime !== undefined ? { minTime } : {}),
    ...(maxTime !== undefined ? { maxTime } : {}),
  });
  const r = querySamples(blocks, {
    ...(minTime !== undefined ? { minTime } : {}),
    ...(maxTime !== undefined ? { maxTime } : {}),
    ...(argv.match !== undefined ? { matchers: argv.match } : {}),
    promtool242: !argv['strict-window'],
  });
  // The event loop runs every 50 ms: SIGINT/SIGTERM stop a dump of millions of lines at once.
  let last = performance.now();
  for (const piece of dumpText(r)) {
    io.out(piece);
    if (performance.now() - last < 50) continue;
    await checkpoint();
    last = performance.now();
  }
  for (const w of r.warnings) io.err(`warning: ${w}\n`);
}

async function upload(argv: { dir: string; url: string; output?: string }, io: Io): Promise<void> {
  const r = await uploadBlocks(argv.dir, argv.url, s3FromArgs(argv).clientConfig);
  if (r.blocks + r.skipped === 0)
    throw new DataNotFoundError('NO_BLOCKS', `${argv.dir} holds no TSDB block to upload`, {
      file: argv.dir,
      hint: 'give a data directory of blocks, e.g. runs/latest/blocks of a run made with --export-blocks',
    });
  if (argv.output === 'json') io.out(JSON.stringify(r) + '\n');
  else
    io.err(
      `uploaded ${r.blocks} blocks (${r.files} files) to ${argv.url}` +
        `${r.skipped ? `; ${r.skipped} were complete there already` : ''}\n`,
    );
}

export function tsdbCommand(yargs: Argv, io: Io, setResult: (code: number) => void): Argv {
  return yargs
    .command(
      'dump <dir>',
      'Print every float sample like `promtool tsdb dump`: {labels} value timestamp_ms',
      (y) =>
        y
          .positional('dir', {
            type: 'string',
            demandOption: true,
            describe: 'Prometheus data directory, snapshot or single block',
          })
          .option('min-time', {
            type: 'string',
            describe: 'Lowest timestamp to print, ms, inclusive (default: no bound)',
          })
          .option('max-time', {
            type: 'string',
            describe: 'Highest timestamp to print, ms, inclusive (default: no bound)',
          })
          .option('match', {
            type: 'string',
            describe: 'Series selector, e.g. \'container_cpu_usage_seconds_total{namespace="openverso"}\'',
          })
          .option('strict-window', {
            type: 'boolean',
            default: false,
            describe:
              'Never print samples outside --min-time/--max-time. By default the output equals ' +
              'promtool 2.42, which prints some samples before --min-time for series with deletions (tombstones)',
          })
          .example('$0 tsdb dump ./data', 'every sample of every block')
          .example(
            '$0 tsdb dump ./data --min-time 1700000000000 --max-time 1700003600000 --match \'{job="demo"}\'',
            'one hour of one job',
          ),
      (argv) => dump(argv, io).then(() => setResult(0)),
    )
    .command(
      'ls <dir>',
      'List the blocks of a data directory: ULID, time range, series, samples, chunks, compaction level',
      (y) =>
        y
          .positional('dir', { type: 'string', demandOption: true, describe: 'Prometheus data directory or snapshot' })
          .example('$0 tsdb ls ./data', 'a table of the blocks')
          .example('$0 tsdb ls ./data --output json', 'the same as JSON, one object per block'),
      (argv) => {
        const { blocks, ignored } = listBlocks(argv.dir);
        if (argv.output === 'json') {
          io.out(JSON.stringify({ blocks: blocks.map((b) => ({ dir: b.dir, ...b.meta })), ignored }, null, 2) + '\n');
          setResult(0);
          return;
        }
        io.out(blocksTable(blocks.map((b) => b.meta)));
        for (const ig of ignored) io.err(`note: ${ig.name} skipped: ${ig.reason}\n`);
        setResult(0);
      },
    )
    .command(
      'upload <dir> <url>',
      'Upload the blocks of a data directory to s3://bucket/prefix/<ULID>/ in Thanos layout (meta.json of each ' +
        'last); blocks already there are skipped, so a rerun completes an interrupted upload',
      (y) =>
        s3ConnectionOptions(y)
          .positional('dir', { type: 'string', demandOption: true, describe: 'Data directory of blocks' })
          .positional('url', { type: 'string', demandOption: true, describe: 's3://bucket/prefix' })
          .example('$0 tsdb upload runs/latest/blocks s3://metrics/forecasts', 'where a Thanos store reads them'),
      (argv) => upload(argv, io).then(() => setResult(0)),
    )
    .demandCommand(1, 'name a tsdb subcommand: dump, ls or upload');
}
