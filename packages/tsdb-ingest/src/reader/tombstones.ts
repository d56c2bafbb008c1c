import { crc32c } from './crc32c.js';
import { Decbuf, readBE32 } from './decbuf.js';
import { TsdbError } from './errors.js';

/** Deleted intervals per block-local series ID; intervals are closed [mint, maxt] in ms. */
export type Tombstones = Map<number, [number, number][]>;

const MAGIC = 0x0130ba30;

/** Parses a tombstones file (docs/TSDB_FORMAT.md §8). The CRC covers the entries only. */
export function parseTombstones(b: Uint8Array, file: string): Tombstones {
  const section = 'tombstones';
  if (b.length < 9)
    throw new TsdbError('TSDB_TRUNCATED', `tombstones file is ${b.length} bytes, at least 9 needed`, {
      file,
      section,
      offset: 0,
    });
  if (readBE32(b, 0) !== MAGIC)
    throw new TsdbError('TSDB_BAD_MAGIC', `bad tombstones magic 0x${readBE32(b, 0).toString(16)}`, {
      file,
      section,
      offset: 0,
    });
  if (b[4] !== 1)
    throw new TsdbError('TSDB_BAD_VERSION', `unsupported tombstones version ${b[4]}`, { file, section, offset: 4 });
  const end = b.length - 4;
  const want = readBE32(b, end);
  const got = crc32c(b, 5, end);
  if (want !== got)
    throw new TsdbError(
      'TSDB_BAD_CRC',
      `tombstones CRC mismatch (stored 0x${want.toString(16)}, computed 0x${got.toString(16)})`,
      { file, section, offset: end },
    );
  const d = new Decbuf(b, 5, end, file, section);
  const out: Tombstones = new Map();
  while (d.pos < end) {
    const id = d.uvarint();
    const mint = d.varint();
    const maxt = d.varint();
    let list = out.get(id);
    if (!list) out.set(id, (list = []));
    list.push([mint, maxt]);
  }
  return out;
}
