// The TSDB block writer: series → Prometheus blocks (bytes, or a data directory). Node, core's
// errors and a ULID generator only, like the reader.
export { encodeBlocks, segmentName } from './writer/block-writer.js';
export type { BlockOptions, EncodedBlock, SeriesToWrite } from './writer/block-writer.js';
export { blockFiles, writeBlocks } from './writer/write-blocks.js';
export type { WrittenBlock } from './writer/write-blocks.js';
export { buildIndex } from './writer/index-writer.js';
export type { IndexSeries } from './writer/index-writer.js';
export { XorEncoder } from './writer/xor-encoder.js';
export { Encbuf } from './writer/encbuf.js';
