// Remote write (protocol 1.0) to Prometheus or any receiver: protobufjs and snappyjs, nothing of the reader.
export { batches, encodeWriteRequest, remoteWrite } from './sources/remote-write.js';
export type { RemoteSeries, RemoteWriteOptions, RemoteWriteResult } from './sources/remote-write.js';
