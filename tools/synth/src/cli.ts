import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yargs from 'yargs';
import { DEFAULT_OPTIONS, NF_PROFILES } from './model.js';
import type { SynthOptions } from './model.js';
import { writeBlocks } from './synth.js';

const argv = await yargs(process.argv.slice(2))
  .scriptName('amf-synth')
  .usage(
    '$0 --out DIR [options]\n\nSimulates cAdvisor metrics of an Open5GS deployment on Kubernetes and ' +
      'writes them as TSDB blocks with promtool, plus the ground truth.',
  )
  .option('out', {
    type: 'string',
    demandOption: true,
    describe: 'Output directory: blocks go to OUT/blocks, ground truth to OUT/ground-truth.csv.gz',
  })
  .option('days', { type: 'number', default: DEFAULT_OPTIONS.days, describe: 'Days to simulate' })
  .option('start', {
    type: 'string',
    default: new Date(DEFAULT_OPTIONS.start).toISOString(),
    describe: 'First scrape (ISO 8601, UTC)',
  })
  .option('scrape-interval', {
    type: 'number',
    default: DEFAULT_OPTIONS.scrapeIntervalS,
    describe: 'Scrape interval, seconds',
  })
  .option('seed', {
    type: 'number',
    default: DEFAULT_OPTIONS.seed,
    describe: 'Random seed: the same seed gives the same samples',
  })
  .option('nfs', {
    type: 'string',
    default: DEFAULT_OPTIONS.nfs.join(','),
    describe: `Network functions, comma-separated (${Object.keys(NF_PROFILES).join(', ')})`,
  })
  .option('replicas', {
    type: 'number',
    default: DEFAULT_OPTIONS.replicas,
    describe: 'Pods per network function (scale knob for benchmark-size data)',
  })
  .option('distractors', {
    type: 'boolean',
    default: true,
    describe: 'Add kube-system pods (--no-distractors to leave them out)',
  })
  .option('restart', { type: 'boolean', default: true, describe: 'Restart the AMF pod once (--no-restart to keep it)' })
  .option('truth-step', {
    type: 'number',
    default: DEFAULT_OPTIONS.truthStepS,
    describe: 'Step of the ground truth, seconds',
  })
  .option('base-load', {
    type: 'number',
    default: DEFAULT_OPTIONS.baseLoad,
    describe: 'UE registrations per second at the weekday peak',
  })
  .option('namespaces', {
    type: 'string',
    default: 'openverso',
    describe: 'Namespaces, comma-separated: each a whole Open5GS deployment',
  })
  .option('sites', {
    type: 'number',
    describe: 'N deployments in namespaces site-01 … site-N (instead of --namespaces): fleet-size data',
  })
  .example('$0 --out sample --days 7 --seed 1', 'the embedded sample')
  .example('$0 --out big --days 2 --replicas 50 --nfs amf,smf,upf,nrf,ausf,udm,pcf', 'benchmark-size data: 350 pods')
  .check((a) => {
    if (!(a.days > 0)) throw new Error('--days must be positive');
    if (!(a['scrape-interval'] >= 1 && Number.isInteger(a['scrape-interval'])))
      throw new Error('--scrape-interval must be a whole number of seconds ≥ 1');
    if (!(a.replicas >= 1 && Number.isInteger(a.replicas))) throw new Error('--replicas must be a whole number ≥ 1');
    if (a.sites !== undefined && !(a.sites >= 1 && Number.isInteger(a.sites)))
      throw new Error('--sites must be a whole number ≥ 1');
    if (Number.isNaN(Date.parse(a.start))) throw new Error(`--start ${a.start} is not a date`);
    for (const nf of a.nfs.split(',')) if (!NF_PROFILES[nf]) throw new Error(`--nfs: unknown network function ${nf}`);
    return true;
  })
  .strict()
  .help()
  .parseAsync();

const o: SynthOptions = {
  start: Date.parse(argv.start),
  days: argv.days,
  scrapeIntervalS: argv['scrape-interval'],
  seed: argv.seed,
  nfs: argv.nfs.split(','),
  replicas: argv.replicas,
  namespaces:
    argv.sites !== undefined
      ? Array.from({ length: argv.sites }, (_, i) => `site-${String(i + 1).padStart(2, '0')}`)
      : argv.namespaces.split(','),
  distractors: argv.distractors,
  restart: argv.restart,
  truthStepS: argv['truth-step'],
  baseLoad: argv['base-load'],
};
const t0 = Date.now();
const r = await writeBlocks(o, join(argv.out, 'blocks'), join(argv.out, 'ground-truth.csv.gz'), (l) =>
  console.error(l),
);
writeFileSync(
  join(argv.out, 'synth.json'),
  JSON.stringify({ options: { ...o, start: new Date(o.start).toISOString() }, ...r }, null, 2) + '\n',
);
console.error(
  `wrote ${r.samples} samples of ${r.series} series in ${((Date.now() - t0) / 1000).toFixed(1)} s to ${argv.out}`,
);
