import type { Stage } from '@amf-foresight/core';
import {
  assembleFleet,
  checkFleetOptions,
  failedEntries,
  failureLine,
  fleetFacts,
  fleetWorkloads,
  recommendedLine,
  sourceSeries,
  workloadMatchers,
} from '@amf-foresight/orchestrator';
import type { Fleet, FleetOptions, SourceSpec } from '@amf-foresight/orchestrator';
import { PAYLOAD_VERSION, workerSource, workloadOptions } from './payload.js';
import type { JobPayload } from './payload.js';
import { runJobs } from './producer.js';
import type { ProducerOptions } from './producer.js';
import type { QueueTarget } from './url.js';

export interface QueuedFleetOptions {
  target: QueueTarget;
  /** Where the samples are, with the fleet's selector and window: the workers must reach it too. */
  source: Extract<SourceSpec, { kind: 'local' | 's3-inplace' | 'prometheus' }>;
  /** Read this much before the window (the rate window and lookback the usage needs). */
  readBefore: number;
  fleet: FleetOptions;
  producer?: ProducerOptions;
}

/**
 * A fleet run whose work is done by a queue's workers (`amf-foresight worker`): this stage lists
 * the source's series (labels only: no sample is read here), finds the workloads as a fleet run
 * does, puts one job per workload on the queue — where its samples are, and the run's options —
 * and waits; each worker reads its workload's samples, fits and recommends, and returns the
 * workload's entries; the fleet is assembled in workload order. Its entries equal those of
 * runFleet on the same source; a workload whose job failed for good has an entry per series
 * with the failure.
 */
export function queuedFleetStage(o: QueuedFleetOptions): Stage<unknown, Fleet> {
  return {
    name: 'fleet',
    run: async (_input, ctx) => {
      const window = { start: o.source.start, end: o.source.end };
      checkFleetOptions(o.fleet, window);
      if (o.fleet.holdoutUsage)
        throw new TypeError('holdoutUsage is a function of this process: a queued fleet cannot send it to workers');
      const series = await sourceSeries(o.source, o.readBefore, ctx);
      const ws = fleetWorkloads(series, o.fleet);
      const options = workloadOptions(o.fleet);
      const jobs: JobPayload[] = ws.map((w) => ({
        v: PAYLOAD_VERSION,
        label: `${w.namespace}/${w.name}`,
        source: workerSource(o.source, workloadMatchers(o.source.matchers, w)),
        readBefore: o.readBefore,
        workload: { namespace: w.namespace, name: w.name, nf: w.nf },
        options,
      }));
      ctx.logger.info(
        `fleet: ${ws.length} workloads; ${o.fleet.model ?? 'AUTO'} on the workers of ${o.target.display}, ` +
          'a job a workload',
      );
      ctx.progress.start('fleet', ws.length, 'workloads');
      const outcomes = await runJobs(o.target, jobs, {
        ...o.producer,
        signal: ctx.signal,
        log: (m) => ctx.logger.info(m),
        onSettled: (k, out) => {
          if ('failed' in out) ctx.logger.warn(`${jobs[k]!.label}: ${out.failed.message} [${out.failed.code}]`);
          else for (const e of out.entries.filter((x) => x.error)) ctx.logger.warn(failureLine(e));
          ctx.progress.advance(1);
        },
      });
      const entries = ws.flatMap((w, k) => {
        const out = outcomes[k]!;
        return 'failed' in out ? failedEntries(w, o.fleet, window, out.failed) : out.entries;
      });
      ctx.progress.done(recommendedLine(entries));
      const fleet = assembleFleet(o.fleet, window, entries, o.target.display);
      ctx.record(fleetFacts(fleet));
      return fleet;
    },
  };
}
