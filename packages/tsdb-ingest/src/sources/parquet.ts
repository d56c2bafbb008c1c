import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '@amf-foresight/core';
import { Table, tableFromIPC, tableToIPC } from 'apache-arrow';
import * as pq from 'parquet-wasm';

/** Parquet key-value metadata key holding our JSON (DESIGN §3). */
export const METADATA_KEY = 'amf_foresight';

/**
 * Writes an Arrow table as Parquet (zstd) with our metadata, through a temporary file and a
 * rename, so a reader never sees half a file and a failure leaves nothing behind.
 */
/** Parquet bytes (zstd) of an Arrow table, with our metadata. */
export function parquetBytes(table: Table, metadata: Record<string, unknown>): Uint8Array {
  const wasmTable = pq.Table.fromIPCStream(tableToIPC(table, 'stream'));
  const props = new pq.WriterPropertiesBuilder()
    .setCompression(pq.Compression.ZSTD)
    .setKeyValueMetadata(new Map([[METADATA_KEY, JSON.stringify(metadata)]]))
    .build();
  return pq.writeParquet(wasmTable, props);
}

export function writeParquetFile(path: string, table: Table, metadata: Record<string, unknown>): number {
  const bytes = parquetBytes(table, metadata);
  writeFileAtomic(path, bytes);
  return bytes.length;
}

export function readParquetFile(path: string): { table: Table; metadata: Record<string, unknown> | undefined } {
  const bytes = readFileSync(path);
  const table = tableFromIPC(pq.readParquet(bytes).intoIPCStream());
  const raw = table.schema.metadata.get(METADATA_KEY);
  return { table, metadata: raw === undefined ? undefined : (JSON.parse(raw) as Record<string, unknown>) };
}
