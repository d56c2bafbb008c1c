import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeBlocks, segmentName } from './block-writer.js';
import type { BlockOptions, EncodedBlock, SeriesToWrite } from './block-writer.js';

/** What one written block holds. */
export type WrittenBlock = Pick<EncodedBlock, 'ulid' | 'minTime' | 'maxTime' | 'stats'> & { dir: string };

/** The files of a block in the order an object store must receive them: meta.json last. */
export function blockFiles(b: EncodedBlock): { name: string; data: Uint8Array | string }[] {
  return [
    ...b.segments.map((data, i) => ({ name: segmentName(i), data })),
    { name: 'index', data: b.index },
    { name: 'tombstones', data: b.tombstones },
    { name: 'meta.json', data: b.meta },
  ];
}

/**
 * Writes `series` as blocks under the data directory `dir`, each first under
 * `<ULID>.tmp-for-creation` (a name Prometheus and our reader skip) and then renamed to its
 * ULID, so a reader never sees a partial block; a failure removes what it had written.
 */
export function writeBlocks(
  dir: string,
  series: readonly SeriesToWrite[],
  options: BlockOptions & { signal?: AbortSignal } = {},
): WrittenBlock[] {
  mkdirSync(dir, { recursive: true });
  const out: WrittenBlock[] = [];
  for (const b of encodeBlocks(series, options)) {
    options.signal?.throwIfAborted();
    const tmp = join(dir, `${b.ulid}.tmp-for-creation`);
    try {
      mkdirSync(join(tmp, 'chunks'), { recursive: true });
      for (const f of blockFiles(b)) writeFileSync(join(tmp, f.name), f.data);
      renameSync(tmp, join(dir, b.ulid));
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
    out.push({ ulid: b.ulid, minTime: b.minTime, maxTime: b.maxTime, stats: b.stats, dir: join(dir, b.ulid) });
  }
  return out;
}
