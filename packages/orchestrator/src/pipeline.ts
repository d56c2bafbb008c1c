import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, sep } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import type { Table } from 'apache-arrow';
import { AmfError, DataNotFoundError, UsageError, formatTime, writeFileAtomic, writeFilesAtomic } from '@amf-foresight/core';
import type { Logger, ProgressReporter } from '@amf-foresight/core';
import { generateDataset } from '@amf-foresight/features';
import type { Dataset, FeatureType, Level } from '@amf-foresight/features';
import { parquetBytes, processBlocks, readParquetFile, s3Error, syncFromS3 } from '@amf-foresight/tsdb-ingest';
import type { SyncResult } from '@amf-foresight/tsdb-ingest';
import { htmlReport, panelsSvg, svgToPng } from './plot.js';
import { trainModel } from './train.js';
import type { TrainResult } from './train.js';

export class CancelledError extends AmfError {
  constructor(step: string) {
    super('CANCELLED', `cancelled during ${step}; nothing of this run was kept`, {}, { exitCode: 130 });
  }
}

export interface PipelineOptions {
  /** Where run directories go (runs/<id>/, runs/latest → the newest). */
  runsDir: string;
  runId?: string;
  /** Recorded in run.json: what the user asked for. */
  inputs?: Record<string, unknown>;
  download?: { bucket: string; prefix: string; cacheDir: string; block?: string; clientConfig: S3ClientConfig; start?: number; end?: number };
  process?: { dataDir: string; start: number; end: number; matchers?: string };
  generate?: { metric: string; type: FeatureType; level: Level; namespace: string; nf: string; pod?: string; step: number; rateWindow: number; by?: 'workload' | 'pod'; samplesDir?: string };
  train?: { model: string; data?: string; horizon: number; windows: number; series?: string };
  upload?: { url: string; clientConfig: S3ClientConfig };
}

export interface PipelineResult {
  runId: string;
  runDir: string;
  steps: Record<string, { seconds: number } & Record<string, unknown>>;
  train?: Omit<TrainResult, 'files' | 'outDir'>;
  uploaded?: { url: string; files: number };
}

const UNITS: Record<string, string> = { memory: 'MiB', cpu: 'cores', utilization: '% of CPU limit', raw: 'raw' };

/** A sortable, unique run id: UTC time and a random suffix. */
export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${Math.random().toString(36).slice(2, 6)}`;
}

function versions(): Record<string, string> {
  const require = createRequire(import.meta.url);
  const out: Record<string, string> = { node: process.versions.node };
  for (const p of ['core', 'tsdb-ingest', 'features', 'orchestrator', 'models-arima', 'models-seasonal', 'models-prophet', 'models-lstm']) {
    try {
      out[`@amf-foresight/${p}`] = (require(`@amf-foresight/${p}/package.json`) as { version: string }).version;
    } catch {
      // not installed: not part of this run
    }
  }
  return out;
}

/**
 * download → process → generate → train, each step optional, in one run directory.
 * Everything is written under runs/.tmp-<id>/ and renamed to runs/<id>/ only when every step
 * succeeded: a failure or a cancellation (ctx.signal: SIGINT/SIGTERM in the CLI) leaves no
 * half-written artifact. The block cache of the download step is outside the run (it is
 * shared between runs and only ever holds whole blocks).
 */
export async function runPipeline(o: PipelineOptions, ctx: { logger: Logger; progress: ProgressReporter; signal: AbortSignal }): Promise<PipelineResult> {
  const log = ctx.logger;
  const runId = o.runId ?? newRunId();
  const runDir = join(o.runsDir, runId);
  const tmp = join(o.runsDir, `.tmp-${runId}`);
  mkdirSync(tmp, { recursive: true });
  const result: PipelineResult = { runId, runDir, steps: {} };
  const started = new Date();
  let step = 'start';
  const timed = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    step = name;
    if (ctx.signal.aborted) throw new CancelledError(name);
    const t0 = performance.now();
    log.info(`== ${name}`);
    const r = await f();
    result.steps[name] = { ...(result.steps[name] ?? {}), seconds: (performance.now() - t0) / 1000 };
    if (ctx.signal.aborted) throw new CancelledError(name);
    return r;
  };
  try {
    if (o.download) {
      const d = o.download;
      const r: SyncResult = await timed('download', () =>
        syncFromS3({ bucket: d.bucket, prefix: d.prefix, cacheDir: d.cacheDir, clientConfig: d.clientConfig, ...(d.block !== undefined ? { block: d.block } : {}), ...(d.start !== undefined ? { minTime: d.start } : {}), ...(d.end !== undefined ? { maxTime: d.end } : {}) }, ctx),
      );
      result.steps['download'] = { ...result.steps['download']!, cacheDir: d.cacheDir, blocks: r.blocks.length, files: r.filesDownloaded, bytes: r.bytesDownloaded };
    }
    let samplesDir = o.generate?.samplesDir;
    if (o.process) {
      const p = o.process;
      const r = await timed('process', () => processBlocks({ dataDir: p.dataDir, start: p.start, end: p.end, outDir: join(tmp, 'samples'), ...(p.matchers !== undefined ? { matchers: p.matchers } : {}) }, ctx));
      result.steps['process'] = { ...result.steps['process']!, series: r.series, samples: r.samples, blocksRead: r.blocksRead, window: [formatTime(p.start), formatTime(p.end)] };
      samplesDir = join(runDir, 'samples');
    }
    let dataset = o.train?.data;
    let unit: string | undefined;
    if (o.generate) {
      const g = o.generate;
      const from = o.process ? join(tmp, 'samples') : (samplesDir ?? 'data/samples');
      const r = await timed('generate', () => generateStep(g, from, tmp, log));
      result.steps['generate'] = { ...result.steps['generate']!, ...r, samplesDir: o.process ? join(runDir, 'samples') : from };
      dataset = join(tmp, 'dataset.parquet');
      unit = UNITS[g.type];
    }
    if (o.train) {
      const t = o.train;
      if (dataset === undefined) throw new UsageError('MISSING_FLAG', '--train needs --data, or --process and --generate in the same run', { flag: '--data' });
      const data = dataset;
      const r = await timed('train', () => trainModel({ data, model: t.model, horizon: t.horizon, windows: t.windows, outDir: tmp, finalDir: runDir, ...(t.series !== undefined ? { series: t.series } : {}), ...(unit !== undefined ? { unit } : {}) }, { logger: log, signal: ctx.signal }));
      const { files: _f, outDir: _o, ...summary } = r;
      result.train = summary;
      result.steps['train'] = { ...result.steps['train']!, data: o.generate ? join(runDir, 'dataset.parquet') : data, model: r.model };
    }
    const run = { runId, started: started.toISOString(), finished: new Date().toISOString(), inputs: o.inputs ?? {}, versions: versions(), steps: result.steps, ...(result.train ? { metrics: result.train } : {}) };
    writeFileAtomic(join(tmp, 'run.json'), JSON.stringify(run, null, 2) + '\n');
    if (ctx.signal.aborted) throw new CancelledError(step);
    renameSync(tmp, runDir);
    pointLatest(o.runsDir, runId);
    log.info(`run ${runId} → ${runDir}`);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (ctx.signal.aborted && !(e instanceof CancelledError)) throw new CancelledError(step);
    throw e;
  }
  if (o.upload) {
    const u = o.upload;
    const files = await uploadDir(runDir, u.url, u.clientConfig, log, o.train?.data !== undefined && !o.generate ? [o.train.data] : []);
    result.uploaded = { url: `${u.url.replace(/\/$/, '')}/${runId}/`, files };
  }
  return result;
}

async function generateStep(g: NonNullable<PipelineOptions['generate']>, samplesDir: string, outDir: string, log: Logger): Promise<Record<string, unknown>> {
  const samplesFile = join(samplesDir, 'samples.parquet');
  const seriesFile = join(samplesDir, 'series.parquet');
  if (!existsSync(samplesFile) || !existsSync(seriesFile)) {
    throw new DataNotFoundError('NO_SAMPLES', `no samples in ${samplesDir}`, { file: samplesFile, hint: 'add --process --start … --end … to this run, or run the process step first' });
  }
  const samples = readParquetFile(samplesFile);
  const series = readParquetFile(seriesFile);
  const { first, last } = sampleRange(samples.table, samplesFile);
  const start = Math.ceil(first / g.step) * g.step;
  const d = generateDataset(
    { series: series.table, samples: samples.table },
    { metric: g.metric, type: g.type, level: g.level, namespace: g.namespace, nf: g.nf, ...(g.pod !== undefined ? { pod: g.pod } : {}), by: g.by ?? 'workload', start, end: last, step: g.step, rateWindow: g.rateWindow, source: samplesDir },
    { logger: log },
  );
  await writeDatasetFiles(d, g, join(outDir, 'dataset.parquet'));
  log.info(`dataset: ${d.summary.rows} rows, ${d.summary.series.length} series, ${formatTime(start)} to ${formatTime(last)} UTC`);
  return { rows: d.summary.rows, series: d.summary.series.map((s) => s.unique_id), range: [formatTime(start), formatTime(last)] };
}

/** First and last sample time (ms) of a samples table; no samples is data not found. */
export function sampleRange(samples: Table, file: string): { first: number; last: number } {
  const ts = samples.getChild('t')!.toArray() as BigInt64Array;
  if (ts.length === 0) throw new DataNotFoundError('NO_SAMPLES', `${file} holds no samples`, { file });
  let first = Infinity;
  let last = -Infinity;
  for (const t of ts) {
    const n = Number(t);
    if (n < first) first = n;
    if (n > last) last = n;
  }
  return { first, last };
}

/**
 * A dataset's files, written all or none: the Parquet at `file`, and beside it (same base name) a PNG
 * and a self-contained HTML page with the plot of every series and a table of their figures.
 */
export async function writeDatasetFiles(d: Dataset, o: { metric: string; type: string; level: string; nf: string }, file: string): Promise<{ png: string; html: string }> {
  const base = file.replace(/\.parquet$/, '');
  const ids = Array.from(d.table.getChild('unique_id')!) as string[];
  const ds = Array.from(d.table.getChild('ds')!, (x) => Number(x));
  const ys = Array.from(d.table.getChild('y')!) as (number | null)[];
  const colors = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];
  const lines = d.summary.series.map((s, i) => {
    const idx = ids.map((u, k) => (u === s.unique_id ? k : -1)).filter((k) => k >= 0);
    return { label: s.unique_id, color: colors[i % colors.length]!, t: idx.map((k) => ds[k]!), y: idx.map((k) => ys[k] ?? NaN) };
  });
  const title = `${o.metric} · ${o.type} · level ${o.level}`;
  const svg = panelsSvg(title, [{ title: `${o.nf.toUpperCase()} ${o.type}`, unit: UNITS[o.type] ?? '', lines }]);
  const rows = d.summary.series.map((s) => ({ unique_id: s.unique_id, points: s.points, missing: s.missing, longest_gap: s.longestGap, min: s.min, mean: s.mean, max: s.max, pods: s.pods.join(' ') }));
  mkdirSync(dirname(file), { recursive: true });
  writeFilesAtomic([
    { path: file, data: parquetBytes(d.table, d.metadata) },
    { path: `${base}.png`, data: await svgToPng(svg) },
    { path: `${base}.html`, data: htmlReport(title, svg, rows) },
  ]);
  return { png: `${base}.png`, html: `${base}.html` };
}

/** runs/latest → the newest run (a relative symlink, replaced atomically). */
function pointLatest(runsDir: string, runId: string): void {
  const link = join(runsDir, 'latest');
  const tmpLink = join(runsDir, `.latest-${runId}`);
  try {
    symlinkSync(runId, tmpLink);
    renameSync(tmpLink, link);
  } catch {
    try {
      if (lstatSync(link).isSymbolicLink()) unlinkSync(link);
    } catch {
      // no previous link
    }
  }
}

export function parseS3Url(url: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!m) throw new UsageError('BAD_UPLOAD_URL', `--upload wants s3://bucket/prefix, got ${JSON.stringify(url)}`, { flag: '--upload' });
  return { bucket: m[1]!, prefix: m[2]!.replace(/\/+$/, '') };
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** Uploads every file under `dir` to s3://bucket/prefix/<name of dir>/…; returns the count. */
export async function uploadDir(dir: string, url: string, clientConfig: S3ClientConfig, log?: Logger, extra: string[] = []): Promise<number> {
  const { bucket, prefix } = parseS3Url(url);
  const client = new S3Client({ ...clientConfig });
  const base = `${prefix ? `${prefix}/` : ''}${basename(dir)}`;
  const items = [...filesUnder(dir).map((f) => ({ f, key: `${base}/${relative(dir, f).split(sep).join('/')}` })), ...extra.map((f) => ({ f, key: `${base}/input/${basename(f)}` }))];
  try {
    for (const { f, key } of items) {
      // A buffer, not a stream: the SDK can retry a buffer, never a stream it has half-sent.
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: readFileSync(f) }));
    }
  } catch (e) {
    // The same codes as the download's (a missing bucket or denied access is bad input: exit 2).
    const m = s3Error(e, `upload to s3://${bucket}/${base}/`, bucket);
    const hint = m.code === 'S3_FAILED' ? 'check the endpoint and the network' : (m.details.hint ?? '');
    throw new AmfError(m.code, m.message, { ...m.details, hint: `the run itself is complete in ${dir}; ${hint}, then upload again` }, { exitCode: m.exitCode, cause: e });
  } finally {
    client.destroy();
  }
  log?.info(`uploaded ${items.length} files to s3://${bucket}/${base}/`);
  return items.length;
}


