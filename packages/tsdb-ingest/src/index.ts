// Everything; `./reader`, `./s3` and `./parquet` are the same pieces, each loading only its own dependencies.
export * from './reader.js';
export * from './s3.js';
export * from './parquet.js';
