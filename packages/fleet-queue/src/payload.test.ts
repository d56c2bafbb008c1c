import { describe, expect, it } from 'vitest';
import type { FleetEntry, SourceSpec } from '@amf-foresight/orchestrator';
import { decodeResult, encodeResult, fromPayload, workerSource, workloadOptions } from './payload.js';
import type { JobPayload } from './payload.js';

const window = { start: Date.UTC(2023, 5, 5), end: Date.UTC(2023, 5, 11, 23, 59) };
const job: JobPayload = {
  v: 2,
  label: 'openverso/open5gs-amf',
  source: { kind: 'local', dataDir: '/shared/blocks', ...window, matchers: '{namespace="openverso"}' },
  readBefore: 300_000,
  workload: { namespace: 'openverso', name: 'open5gs-amf', nf: 'amf' },
  options: { model: 'AUTO', periodMs: 86_400_000, levels: ['amf'] },
};

describe('fleet jobs as queue payloads', () => {
  it('travel through JSON as they are', () => {
    expect(fromPayload(JSON.parse(JSON.stringify(job)))).toEqual(job);
  });

  it.each([
    [null, /not an object/],
    [{ ...job, v: 1 }, /version 1/],
    [{ ...job, source: { ...job.source, start: 'x' } }, /no source window/],
    [{ ...job, source: { kind: 's3', start: 0, end: 1, matchers: '' } }, /a source of kind "s3" that is not complete/],
    [{ ...job, workload: { namespace: 'n' } }, /no workload/],
    [{ ...job, readBefore: undefined }, /no options/],
  ])('a payload that is not a fleet job is refused: %j', (data, why) => {
    expect(() => fromPayload(data)).toThrow(why);
  });

  it('carry no credentials, cache paths or headers, and only the options that are data', () => {
    const s3: SourceSpec = {
      kind: 's3-inplace',
      bucket: 'b',
      prefix: 'p',
      indexHeaderDir: '/producer/cache',
      clientConfig: {
        region: 'eu-west-1',
        endpoint: 'http://minio:9000',
        forcePathStyle: true,
        credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' },
      },
      ...window,
    };
    const sent = workerSource(s3, '{pod=~"open5gs-amf.*"}');
    expect(sent).toEqual({
      kind: 's3-inplace',
      bucket: 'b',
      prefix: 'p',
      clientConfig: { region: 'eu-west-1', endpoint: 'http://minio:9000', forcePathStyle: true },
      ...window,
      matchers: '{pod=~"open5gs-amf.*"}',
    });
    const prom: SourceSpec = { kind: 'prometheus', url: 'http://p:9090', headers: { authorization: 'x' }, ...window };
    expect(workerSource(prom, 'm')).not.toHaveProperty('headers');
    expect(() => workerSource({ kind: 'samples-dir', dir: 'd' }, 'm')).toThrow(/cannot hand its workers a samples-dir/);
    const holdoutUsage = () => undefined;
    expect(workloadOptions({ model: 'AUTO', workers: 3, holdoutUsage, namespace: 'x' })).toEqual({ model: 'AUTO' });
  });

  it('results keep every number, NaN and infinities included; anything else is not a result', () => {
    const e = {
      namespace: 'n',
      workload: 'w',
      nf: 'amf',
      level: 'amf',
      metric: 'cpu',
      history: { start: 0, stepMs: 1, mean: [0.1 + 0.2, NaN, 1e-300] },
      backtest: { x: Infinity, y: -Infinity },
    } as unknown as FleetEntry;
    const back = decodeResult(JSON.parse(JSON.stringify(encodeResult([e]))));
    expect(back).toEqual([e]);
    expect(Object.is(back![0]!.history.mean[1], NaN)).toBe(true);
    for (const v of [undefined, 'x', '{"a":1}', JSON.stringify([{ workload: 1 }])])
      expect(decodeResult(v)).toBeUndefined();
  });
});
