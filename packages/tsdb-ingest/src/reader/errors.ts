import { InputError } from '@amf-foresight/core';
import type { AmfErrorDetails } from '@amf-foresight/core';

/**
 * Stable codes of every way a block can be unreadable. The CLI prints `describe()` and
 * exits 2; callers branch on `code`.
 */
export type TsdbErrorCode =
  | 'TSDB_NOT_FOUND' // a file or directory that must exist does not
  | 'TSDB_NOT_A_FILE' // a block file that is a device, FIFO or directory (a link to /dev/zero)
  | 'TSDB_BAD_META' // meta.json missing fields, wrong types, wrong version
  | 'TSDB_BAD_MAGIC'
  | 'TSDB_BAD_VERSION'
  | 'TSDB_BAD_CRC'
  | 'TSDB_TRUNCATED' // a read ran past the end of a file or section
  | 'TSDB_CORRUPT' // structure that cannot be right (bad counts, unsorted, out of range)
  | 'TSDB_BAD_CHUNK_REF' // a chunk reference to a missing segment or past its end
  | 'TSDB_BAD_MATCHER' // a selector that cannot be parsed
  | 'TSDB_BAD_SERIES'; // series given to the writer that no block may hold (bad names, times out of order)

export class TsdbError extends InputError {
  declare readonly code: TsdbErrorCode;
  constructor(code: TsdbErrorCode, message: string, details: AmfErrorDetails = {}, options?: { cause?: unknown }) {
    super(code, message, details, options);
  }
}
