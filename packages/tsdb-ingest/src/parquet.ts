// Parquet (parquet-wasm) for samples and datasets.
export {
  writeParquetFile,
  readParquetFile,
  parquetBytes,
  METADATA_KEY,
  samplesFiles,
  readSamplesDir,
  sampleRange,
  samplesDirSource,
  writeSamplesStream,
} from './sources/parquet.js';
