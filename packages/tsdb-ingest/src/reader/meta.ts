import { TsdbError } from './errors.js';

/** meta.json of a block (docs/TSDB_FORMAT.md §2), with the Thanos section when present. */
export interface BlockMeta {
  ulid: string;
  /** Inclusive lower bound, ms. */
  minTime: number;
  /** Exclusive upper bound, ms. */
  maxTime: number;
  stats: {
    numSamples: number;
    numSeries: number;
    numChunks: number;
    numTombstones: number;
    numFloatSamples?: number;
    numHistogramSamples?: number;
  };
  compaction: {
    level: number;
    sources: string[];
    deletable: boolean;
    failed: boolean;
    hints: string[];
    parents: { ulid: string; minTime: number; maxTime: number }[];
  };
  version: 1;
  thanos?: ThanosMeta;
}

export interface ThanosMeta {
  version?: number;
  /** External labels: not in the index; they belong to every series of the block. */
  labels: Record<string, string>;
  /** 0 = raw; 300000 / 3600000 = downsampled (aggregate chunks, encoding 0xFF). */
  downsampleResolution: number;
  source?: string;
  files?: { rel_path: string; size_bytes?: number }[];
}

const ULID_RE = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** Whether `s` is a ULID, as a block directory's name is (26 characters of Crockford base32). */
export function isUlid(s: string): boolean {
  return ULID_RE.test(s);
}

function fail(file: string, message: string): never {
  throw new TsdbError('TSDB_BAD_META', message, {
    file,
    section: 'meta.json',
    hint: 'the block is damaged or not a Prometheus block',
  });
}

function int(v: unknown, file: string, name: string, optional = false): number {
  if (v === undefined && optional) return 0;
  if (typeof v !== 'number' || !Number.isSafeInteger(v))
    fail(file, `${name} must be an integer, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`);
  return v;
}

function obj(v: unknown, file: string, name: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(file, `${name} must be an object`);
  return v as Record<string, unknown>;
}

/** Parses and checks meta.json bytes. `file` names the file in errors. */
export function parseMeta(bytes: Uint8Array | string, file: string): BlockMeta {
  let raw: unknown;
  try {
    raw = JSON.parse(typeof bytes === 'string' ? bytes : new TextDecoder().decode(bytes));
  } catch (e) {
    fail(file, `meta.json is not valid JSON: ${(e as Error).message}`);
  }
  const m = obj(raw, file, 'meta.json');
  if (m.version !== 1) fail(file, `unsupported meta.json version ${JSON.stringify(m.version)} (only 1 exists)`);
  if (typeof m.ulid !== 'string' || !ULID_RE.test(m.ulid)) fail(file, `ulid ${JSON.stringify(m.ulid)} is not a ULID`);
  const minTime = int(m.minTime, file, 'minTime');
  const maxTime = int(m.maxTime, file, 'maxTime');
  if (maxTime < minTime) fail(file, `maxTime ${maxTime} is before minTime ${minTime}`);
  const stats = m.stats === undefined ? {} : obj(m.stats, file, 'stats');
  const comp = obj(m.compaction, file, 'compaction');
  const sources = comp.sources === undefined ? [] : comp.sources;
  if (!Array.isArray(sources) || !sources.every((s) => typeof s === 'string'))
    fail(file, 'compaction.sources must be a list of ULIDs');
  const hints = comp.hints === undefined ? [] : comp.hints;
  if (!Array.isArray(hints) || !hints.every((s) => typeof s === 'string'))
    fail(file, 'compaction.hints must be a list of strings');
  const parentsRaw = comp.parents === undefined ? [] : comp.parents;
  if (!Array.isArray(parentsRaw)) fail(file, 'compaction.parents must be a list');
  const parents = parentsRaw.map((p, i) => {
    const o = obj(p, file, `compaction.parents[${i}]`);
    return {
      ulid: String(o.ulid),
      minTime: int(o.minTime, file, 'parent minTime'),
      maxTime: int(o.maxTime, file, 'parent maxTime'),
    };
  });
  const meta: BlockMeta = {
    ulid: m.ulid,
    minTime,
    maxTime,
    stats: {
      numSamples: int(stats.numSamples, file, 'stats.numSamples', true),
      numSeries: int(stats.numSeries, file, 'stats.numSeries', true),
      numChunks: int(stats.numChunks, file, 'stats.numChunks', true),
      numTombstones: int(stats.numTombstones, file, 'stats.numTombstones', true),
      ...(stats.numFloatSamples !== undefined
        ? { numFloatSamples: int(stats.numFloatSamples, file, 'stats.numFloatSamples') }
        : {}),
      ...(stats.numHistogramSamples !== undefined
        ? { numHistogramSamples: int(stats.numHistogramSamples, file, 'stats.numHistogramSamples') }
        : {}),
    },
    compaction: {
      level: int(comp.level, file, 'compaction.level'),
      sources: sources,
      deletable: comp.deletable === true,
      failed: comp.failed === true,
      hints: hints,
      parents,
    },
    version: 1,
  };
  if (m.thanos !== undefined) {
    const th = obj(m.thanos, file, 'thanos');
    const labels = th.labels === undefined || th.labels === null ? {} : obj(th.labels, file, 'thanos.labels');
    for (const [k, v] of Object.entries(labels))
      if (typeof v !== 'string') fail(file, `thanos.labels.${k} must be a string`);
    const ds = th.downsample === undefined ? {} : obj(th.downsample, file, 'thanos.downsample');
    meta.thanos = {
      labels: labels as Record<string, string>,
      downsampleResolution: int(ds.resolution, file, 'thanos.downsample.resolution', true),
      ...(typeof th.version === 'number' ? { version: th.version } : {}),
      ...(typeof th.source === 'string' ? { source: th.source } : {}),
      ...(Array.isArray(th.files) ? { files: th.files as { rel_path: string; size_bytes?: number }[] } : {}),
    };
  }
  return meta;
}
