import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Range } from '../reader/byte-ranges.js';

const MAGIC = 'AMFIDXH1';

/** What identifies a cached header: a block is immutable, but a re-upload under the same ULID is not trusted. */
export interface HeaderKey {
  ulid: string;
  indexSize: number;
  etag: string | undefined;
}

/** The index ranges a block's queries always need (header, TOC, symbols, postings offset table), as stored. */
export interface HeaderParts {
  ranges: { start: number; bytes: Uint8Array }[];
}

const fileOf = (dir: string, ulid: string) => join(dir, `${ulid}.index-header`);

/**
 * Reads a cached index header, or undefined when there is none or it is for another upload
 * of the block. Its bytes keep their sections' CRCs: the index reader checks them again.
 */
export function loadHeader(dir: string, key: HeaderKey): HeaderParts | undefined {
  let b: Buffer;
  try {
    b = readFileSync(fileOf(dir, key.ulid));
  } catch {
    return undefined;
  }
  if (b.length < 12 || b.toString('latin1', 0, 8) !== MAGIC) return undefined;
  const jlen = b.readUInt32BE(8);
  let head: { ulid: string; indexSize: number; etag: string | null; ranges: [number, number][] };
  try {
    head = JSON.parse(b.toString('utf8', 12, 12 + jlen)) as typeof head;
  } catch {
    return undefined;
  }
  if (head.ulid !== key.ulid || head.indexSize !== key.indexSize || (head.etag ?? undefined) !== key.etag)
    return undefined;
  let p = 12 + jlen;
  const ranges: HeaderParts['ranges'] = [];
  for (const [start, len] of head.ranges) {
    if (p + len > b.length) return undefined;
    ranges.push({ start, bytes: new Uint8Array(b.buffer, b.byteOffset + p, len) });
    p += len;
  }
  return { ranges };
}

/** Writes the header atomically (temporary file, then rename): a reader never sees half of one. */
export function saveHeader(dir: string, key: HeaderKey, parts: HeaderParts): void {
  mkdirSync(dir, { recursive: true });
  const ranges: Range[] = parts.ranges.map((r) => [r.start, r.bytes.length]);
  const json = Buffer.from(JSON.stringify({ ...key, etag: key.etag ?? null, ranges }));
  const len = Buffer.alloc(4);
  len.writeUInt32BE(json.length);
  const tmp = `${fileOf(dir, key.ulid)}.${process.pid}.tmp`;
  writeFileSync(tmp, Buffer.concat([Buffer.from(MAGIC, 'latin1'), len, json, ...parts.ranges.map((r) => r.bytes)]));
  renameSync(tmp, fileOf(dir, key.ulid));
}
