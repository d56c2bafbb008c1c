import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { UsageError } from '@amf-foresight/core';
import type { Logger, ProgressReporter, RunContext, Samples, SamplesStream, Stage } from '@amf-foresight/core';
import type { Table } from 'apache-arrow';
import { generateStage, readBeforeFor } from '@amf-foresight/features';
import type { FeatureType, GenerateOptions, Level } from '@amf-foresight/features';
import {
  fetchSeriesFromPrometheus,
  localSource,
  prometheusSource,
  readLocalSeries,
} from '@amf-foresight/tsdb-ingest/reader';
import { samplesDirSource } from '@amf-foresight/tsdb-ingest/parquet';
import { datasetWriter, samplesWriter, trainedWriter } from './artifacts.js';
import type { ArtifactWriter } from './artifacts.js';
import { datasetFileSource } from './dataset.js';
import { Plan, runPlan } from './plan.js';
import type { RunResult, Sink } from './plan.js';
import { latestSamplesDir } from './run-dir.js';
import { trainStage } from './train.js';
import { blockSinks, trainedBlocksWriter } from './export-blocks.js';
import { remoteWriteSink } from './remote-write-sink.js';
import type { TrainMetrics, TrainOptions } from './train.js';
import { parseS3Url, uploadDir } from './upload.js';

/** The window every source reads. */
export interface WindowSpec {
  start: number;
  end: number;
  matchers?: string;
}

/** Where the samples of a run come from. */
export type SourceSpec =
  | ({ kind: 'local'; dataDir: string } & WindowSpec)
  | ({
      kind: 's3';
      bucket: string;
      prefix: string;
      cacheDir: string;
      block?: string;
      clientConfig: S3ClientConfig;
    } & WindowSpec)
  | ({
      /** Read where the blocks lie, with range GETs (index headers cached in `indexHeaderDir`). */
      kind: 's3-inplace';
      bucket: string;
      prefix: string;
      block?: string;
      indexHeaderDir?: string;
      /** Range GETs in flight (default 16). */
      concurrency?: number;
      clientConfig: S3ClientConfig;
    } & WindowSpec)
  | ({ kind: 'prometheus'; url: string; headers?: Record<string, string> } & WindowSpec)
  | { kind: 'samples-dir'; dir: string };

export interface PipelineOptions {
  /** Where run directories go (runs/<id>/, runs/latest → the newest). */
  runsDir: string;
  runId?: string;
  /** Recorded in run.json: what the user asked for. */
  inputs?: Record<string, unknown>;
  /** Sync blocks from S3 only (the prototype's `--download` without `--process`). */
  download?: { bucket: string; prefix: string; cacheDir: string; block?: string; clientConfig: S3ClientConfig };
  /**
   * Samples: decoded blocks or the HTTP API (`--process`), or earlier samples. Default with
   * `generate`: the newest run's.
   */
  source?: SourceSpec;
  generate?: {
    metric: string;
    type: FeatureType;
    level: Level;
    namespace: string;
    nf: string;
    pod?: string;
    step: number;
    rateWindow: number;
    by?: 'workload' | 'pod';
  };
  /** `data`: a dataset file instead of this run's generate. */
  train?: Omit<TrainOptions, 'model'> & { model: TrainOptions['model']; data?: string };
  upload?: { url: string; clientConfig: S3ClientConfig };
  /**
   * The forecast as Prometheus TSDB blocks: kept in the run (blocks/), copied into `dir` when given,
   * and, with `upload`, uploaded in Thanos's layout beside the run (s3://bucket/prefix/<ULID>/).
   */
  exportBlocks?: { dir?: string };
  /** Send the forecast to a remote-write receiver (stamped now, a `horizon` label; see remoteWriteSink). */
  remoteWrite?: { url: string };
}

export interface PipelineResult extends RunResult<unknown> {
  runDir: string;
  train?: TrainMetrics;
  uploaded?: { url: string; files: number };
}

/** The source stage of a spec; `readBefore` is what the features need before the window's start. */
export async function sourceStage(s: SourceSpec, readBefore: number): Promise<Stage<unknown, Samples>> {
  const w =
    s.kind === 'samples-dir'
      ? undefined
      : { start: s.start, end: s.end, readBefore, ...(s.matchers !== undefined ? { matchers: s.matchers } : {}) };
  switch (s.kind) {
    case 'local':
      return localSource({ ...w!, dataDir: s.dataDir });
    case 'prometheus':
      return prometheusSource({ ...w!, url: s.url, ...(s.headers ? { headers: s.headers } : {}) });
    case 's3': {
      // Only a run that reads S3 loads the S3 SDK.
      const { s3Source } = await import('@amf-foresight/tsdb-ingest/s3');
      return s3Source({
        sync: {
          bucket: s.bucket,
          prefix: s.prefix,
          cacheDir: s.cacheDir,
          clientConfig: s.clientConfig,
          ...(s.block !== undefined ? { block: s.block } : {}),
        },
        window: w!,
      });
    }
    case 's3-inplace': {
      const { s3InPlaceSource } = await import('@amf-foresight/tsdb-ingest/s3');
      return s3InPlaceSource({ read: inPlaceRead(s), window: w! });
    }
    case 'samples-dir':
      return samplesDirSource(s.dir);
  }
}

function inPlaceRead(s: Extract<SourceSpec, { kind: 's3-inplace' }>) {
  return {
    bucket: s.bucket,
    prefix: s.prefix,
    clientConfig: s.clientConfig,
    ...(s.block !== undefined ? { block: s.block } : {}),
    ...(s.indexHeaderDir !== undefined ? { indexHeaderDir: s.indexHeaderDir } : {}),
    ...(s.concurrency !== undefined ? { concurrency: s.concurrency } : {}),
  };
}

/**
 * The series (labels only) the source stage of `s` would read: from the blocks' indexes, or the
 * server's series endpoint; no sample is read. Sources that copy data first (an S3 sync, a samples
 * directory) are refused: what lists series is a fleet's producer, whose workers read where it does.
 */
export async function sourceSeries(s: SourceSpec, readBefore: number, ctx: Partial<RunContext> = {}): Promise<Table> {
  if (s.kind === 's3' || s.kind === 'samples-dir')
    throw new UsageError('BAD_SOURCE', `listing the series of a ${s.kind} source is not supported`, {
      hint: 'read blocks where they lie: a data directory (--local-path), S3 in place (--source), --prometheus-url',
    });
  const w = { start: s.start, end: s.end, readBefore, ...(s.matchers !== undefined ? { matchers: s.matchers } : {}) };
  switch (s.kind) {
    case 'local':
      return readLocalSeries({ ...w, dataDir: s.dataDir }, ctx);
    case 'prometheus':
      return fetchSeriesFromPrometheus(
        { ...w, start: s.start - readBefore, url: s.url, ...(s.headers ? { headers: s.headers } : {}) },
        ctx,
      );
    case 's3-inplace': {
      const { s3InPlaceSeries } = await import('@amf-foresight/tsdb-ingest/s3');
      return s3InPlaceSeries({ read: inPlaceRead(s), window: w }, ctx);
    }
  }
}

/**
 * A local-directory source whose samples are streamed to the run's files (see samplesStreamWriter):
 * `process` of any window in bounded memory.
 */
export function streamingSourceStage(
  s: Extract<SourceSpec, { kind: 'local' }>,
  readBefore: number,
): Stage<unknown, SamplesStream> {
  return localSource({
    start: s.start,
    end: s.end,
    readBefore,
    dataDir: s.dataDir,
    ...(s.matchers !== undefined ? { matchers: s.matchers } : {}),
    stream: true,
  });
}

/** An upload of the complete run directory to s3://bucket/prefix/<run id>/ (and `extra` files under input/). */
export function uploadSink(url: string, clientConfig: S3ClientConfig, extra: string[] = []): Sink {
  parseS3Url(url);
  return {
    name: 'upload',
    run: async (runDir, ctx) => {
      const files = await uploadDir(runDir, url, clientConfig, ctx.logger, extra);
      return { url: `${url.replace(/\/$/, '')}/${runDir.split(/[\\/]/).pop()!}/`, files };
    },
  };
}

/**
 * The prototype's pipeline as a plan: [download] → [source] → [generate] → [train]. Samples are
 * read from `readBefore` before the window (the rate window or lookback) so that the features
 * equal PromQL at every grid point; they are kept in the run (samples/) only when read in it.
 */
export async function pipelinePlan(
  o: PipelineOptions,
): Promise<{ plan: Plan<unknown>; writers: ArtifactWriter[]; sinks: Sink[] }> {
  let plan = Plan.empty() as Plan<unknown>;
  const writers: ArtifactWriter[] = [];
  if (o.download) {
    const { s3SyncStage } = await import('@amf-foresight/tsdb-ingest/s3');
    const d = o.download;
    plan = plan.then(
      s3SyncStage({
        bucket: d.bucket,
        prefix: d.prefix,
        cacheDir: d.cacheDir,
        clientConfig: d.clientConfig,
        ...(d.block !== undefined ? { block: d.block } : {}),
      }),
    );
  }
  const g = o.generate;
  const readBefore = g ? readBeforeFor({ type: g.type, rateWindow: g.rateWindow }) : 300_000;
  const source =
    o.source ?? (g ? { kind: 'samples-dir' as const, dir: latestSamplesDir(o.runsDir) ?? 'data/samples' } : undefined);
  if (source?.kind === 's3') {
    // Two steps, as the prototype had: the blocks the window needs are synced, then read from the cache.
    const { s3SyncStage } = await import('@amf-foresight/tsdb-ingest/s3');
    const sync = {
      bucket: source.bucket,
      prefix: source.prefix,
      cacheDir: source.cacheDir,
      clientConfig: source.clientConfig,
      ...(source.block !== undefined ? { block: source.block } : {}),
    };
    plan = plan.then(s3SyncStage({ ...sync, minTime: source.start - readBefore, maxTime: source.end }));
    plan = plan.then(await sourceStage({ ...source, kind: 'local', dataDir: source.cacheDir }, readBefore));
  } else if (source) plan = plan.then(await sourceStage(source, readBefore));
  if (source && source.kind !== 'samples-dir') writers.push(samplesWriter());
  if (g) {
    const go: GenerateOptions = {
      metric: g.metric,
      type: g.type,
      level: g.level,
      namespace: g.namespace,
      nf: g.nf,
      step: g.step,
      rateWindow: g.rateWindow,
      by: g.by ?? 'workload',
      ...(g.pod !== undefined ? { pod: g.pod } : {}),
    };
    plan = plan.then(generateStage(go));
    writers.push(datasetWriter());
  }
  if (o.train) {
    const { data, ...t } = o.train;
    if (!g && data === undefined)
      throw new UsageError('MISSING_FLAG', '--train needs --data, or --process and --generate in the same run', {
        flag: '--data',
      });
    if (!g) {
      // The run keeps the dataset it trained on: it is complete by itself, and runs/latest/dataset.parquet stays valid.
      plan = plan.then(datasetFileSource(data!));
      writers.push(datasetWriter());
    }
    plan = plan.then(trainStage(t));
    writers.push(trainedWriter());
  }
  const sinks = outputSinks(o, writers);
  return { plan, writers, sinks };
}

/**
 * The sinks of a run once it is complete, in order: the blocks (copied, uploaded), the remote write, the
 * run's upload; adds the blocks' writer when they are asked for.
 */
function outputSinks(o: PipelineOptions, writers: ArtifactWriter[]): Sink[] {
  const extra = o.train?.data !== undefined && !o.generate ? [o.train.data] : [];
  const sinks = o.upload ? [uploadSink(o.upload.url, o.upload.clientConfig, extra)] : [];
  if (o.exportBlocks) {
    if (!o.train)
      throw new UsageError('EXPORT_WITHOUT_TRAIN', '--export-blocks writes a forecast: give --train as well', {
        flag: '--export-blocks',
      });
    writers.push(trainedBlocksWriter());
    // Blocks first: what a store or querier reads is in place before the run's own files.
    sinks.unshift(...blockSinks(o.exportBlocks.dir, o.upload));
  }
  if (o.remoteWrite) {
    if (!o.train)
      throw new UsageError('REMOTE_WRITE_WITHOUT_TRAIN', '--remote-write sends a forecast: give --train as well', {
        flag: '--remote-write',
      });
    sinks.splice(sinks.length - (o.upload ? 1 : 0), 0, remoteWriteSink(o.remoteWrite.url));
  }
  return sinks;
}

/** download → source → generate → train in one run directory (see pipelinePlan and runPlan). */
export async function runPipeline(
  o: PipelineOptions,
  ctx: { logger: Logger; progress: ProgressReporter; signal: AbortSignal },
): Promise<PipelineResult> {
  const { plan, writers, sinks } = await pipelinePlan(o);
  const r = await runPlan(
    plan,
    {
      target: { kind: 'run', runsDir: o.runsDir, ...(o.runId !== undefined ? { runId: o.runId } : {}) },
      writers,
      sinks,
      ...(o.inputs ? { inputs: o.inputs } : {}),
    },
    ctx,
  );
  const trained =
    (r.output as { kind?: string; metrics?: TrainMetrics } | undefined)?.kind === 'trained'
      ? (r.output as { metrics: TrainMetrics }).metrics
      : undefined;
  const up = r.sinks['upload'] as { url: string; files: number } | undefined;
  return { ...r, runDir: r.runDir!, ...(trained ? { train: trained } : {}), ...(up ? { uploaded: up } : {}) };
}
