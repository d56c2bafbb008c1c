export { REPO_ROOT, requireTool, tempDirs } from './tools.js';
export { MOTO_SERVER, freePort, startMoto, s3Client, filesUnder, uploadDir, createBucket } from './moto.js';
export type { Moto } from './moto.js';
export { startPrometheus, startPrometheusOnCopy, prometheusForTests } from './prometheus.js';
export type { Hooks, PromOptions, PromServer } from './prometheus.js';
export { startFaultProxy } from './fault-proxy.js';
export type { FaultPolicy, FaultProxy } from './fault-proxy.js';
export { openInChromium } from './chromium.js';
export type { PageReport } from './chromium.js';
