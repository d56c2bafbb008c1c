import { createRequire } from 'node:module';

/** This package's version (not the version of the project it is installed in). */
export const CLI_VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
