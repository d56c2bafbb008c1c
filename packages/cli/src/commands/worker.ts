import { availableParallelism } from 'node:os';
import type { Argv, CommandModule } from 'yargs';
import { UsageError, parseDuration } from '@amf-foresight/core';
import { parseQueueUrl, runQueueWorker } from '@amf-foresight/fleet-queue';
import { runLogPath } from '../console.js';
import type { Io } from '../io.js';
import { withCommand } from '../run.js';
import type { ArgsOf, CommonArgs } from '../run.js';

function workerOptions(y: Argv<CommonArgs>) {
  return y
    .option('queue', {
      type: 'string',
      describe: 'The Redis of the fleet runs, redis://host:port/db[?queue=name] (env: AMF_FORESIGHT_QUEUE)',
    })
    .option('concurrency', {
      type: 'number',
      describe:
        'Workloads at a time, each fitted on its own thread ' +
        `(default: the cores, at most 4; here ${Math.min(4, availableParallelism())})`,
    })
    .option('lock-duration', {
      type: 'string',
      default: '30s',
      describe: 'A job’s lock, renewed while it runs: a dead worker’s jobs go to another after about twice this',
    })
    .option('index-cache', {
      type: 'string',
      describe: 'Where index headers of S3 blocks read in place are kept between jobs (default: not kept)',
    })
    .option('logs-dir', { type: 'string', default: 'logs', describe: 'Where the worker log goes' })
    .example('$0 worker --queue redis://redis:6379/0', 'do queued fleet work until SIGTERM')
    .epilog(
      'SIGTERM or Ctrl-C: take no more jobs, finish the active ones, exit 0; a second one exits at once (130) and ' +
        'its jobs return to the queue when their locks expire.',
    );
}

type WorkerArgs = ArgsOf<ReturnType<typeof workerOptions>>;

export function workerCommand(io: Io, setResult: (code: number) => void): CommandModule<CommonArgs, WorkerArgs> {
  return {
    command: 'worker',
    describe:
      'Do the work of queued fleet runs (amf-foresight fleet --queue) until stopped: per job, read a ' +
      "workload's samples from the run's source, fit, recommend",
    builder: workerOptions,
    handler: async (argv) => {
      const url = argv.queue ?? (process.env.AMF_FORESIGHT_QUEUE || undefined);
      if (url === undefined)
        throw new UsageError('MISSING_QUEUE', 'worker needs --queue (or AMF_FORESIGHT_QUEUE)', {
          flag: '--queue',
          hint: 'e.g. --queue redis://127.0.0.1:6379/0',
        });
      const target = parseQueueUrl(url);
      const c = argv.concurrency;
      if (c !== undefined && !(Number.isInteger(c) && c >= 1 && c <= 64))
        throw new UsageError('BAD_CONCURRENCY', '--concurrency must be a whole number from 1 to 64', {
          flag: '--concurrency',
        });
      const lockMs = parseDuration(argv['lock-duration'], '--lock-duration');
      const summary = await withCommand(
        io,
        argv,
        runLogPath(argv['logs-dir'], 'worker'),
        (ctx) =>
          runQueueWorker(target, {
            ...(c !== undefined ? { concurrency: c } : {}),
            lockMs,
            ...(argv['index-cache'] !== undefined ? { indexHeaderDir: argv['index-cache'] } : {}),
            signal: ctx.signal,
            log: (m) => ctx.logger.info(m),
          }),
        'taking no more jobs…',
      );
      if (argv.output === 'json') io.out(JSON.stringify(summary) + '\n');
      setResult(0);
      // A queue that lost its jobs can leave BullMQ's handles open: the process ends anyway.
      if (!summary.clean) setTimeout(() => process.exit(0), 1000).unref();
    },
  };
}
