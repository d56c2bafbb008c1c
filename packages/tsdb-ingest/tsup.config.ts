import { defineConfig } from 'tsup';
import { libraryConfig } from '../../tsup.base';

export default defineConfig(libraryConfig({ entry: ['src/index.ts', 'src/reader.ts', 'src/writer.ts', 'src/remote-write.ts', 'src/s3.ts', 'src/parquet.ts'] }));
