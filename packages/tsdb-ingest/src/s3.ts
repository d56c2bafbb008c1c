// S3: block sync into a local cache, the S3 source stage, and the S3 error mapping.
export { syncFromS3, s3SyncStage, safeRelative, STAGING_DIR } from './sources/s3-sync.js';
export type { S3SyncOptions, SyncResult, BlockStatus } from './sources/s3-sync.js';
export { s3Source } from './sources/s3-source.js';
export { s3Error } from './sources/s3-errors.js';
