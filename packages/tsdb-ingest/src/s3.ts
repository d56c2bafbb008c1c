// S3: block sync into a local cache, reading blocks in place (range GETs), the S3 source stage, the error mapping.
export { syncFromS3, s3SyncStage, safeRelative, STAGING_DIR } from './sources/s3-sync.js';
export type { S3SyncOptions, SyncResult, BlockStatus } from './sources/s3-sync.js';
export { s3Source, s3InPlaceSource, s3InPlaceSeries } from './sources/s3-source.js';
export { s3Error } from './sources/s3-errors.js';
export { readS3Samples, listS3Blocks, openS3Blocks, openS3Block } from './sources/s3-inplace.js';
export type { S3ReadOptions, S3Listing, RemoteBlockInfo, TransferStats } from './sources/s3-inplace.js';
