import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, requireTool } from '@amf-foresight/test-servers';

// deploy/ as `kubectl apply -k deploy/` would apply it, rendered offline by kubectl's kustomize.
const DEPLOY = join(REPO_ROOT, 'deploy');

interface Container {
  name: string;
  args?: string[];
  command?: string[];
  image: string;
  env?: { name: string; value?: string }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}
interface Doc {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: Record<string, unknown>;
}

function rendered(): Doc[] {
  requireTool('kubectl', 'kubectl (offline use only) is needed for this test');
  const yaml = execFileSync('kubectl', ['kustomize', DEPLOY], { encoding: 'utf8' });
  // kubectl prints each document as a JSON object of its own: one per top-level brace pair.
  const json = execFileSync('kubectl', ['patch', '--local', '-f', '-', '--type', 'merge', '-p', '{}', '-o', 'json'], {
    input: yaml,
    encoding: 'utf8',
  });
  return json.split(/^\}\n(?=\{)/m).map((s, i, all) => JSON.parse(i < all.length - 1 ? `${s}}` : s) as Doc);
}

const podSpec = (d: Doc): { containers: Container[] } => {
  const s = d.spec as { template?: { spec: unknown }; jobTemplate?: { spec: { template: { spec: unknown } } } };
  return (s.jobTemplate?.spec.template.spec ?? s.template!.spec) as { containers: Container[] };
};

/** The resources a patch under deploy/resources/ sets on its container. */
const patched = (file: string): Container['resources'] => {
  const p = JSON.parse(readFileSync(join(DEPLOY, 'resources', file), 'utf8')) as Doc;
  return podSpec(p).containers[0]!.resources;
};

describe('deploy/: the fleet queue on Kubernetes', () => {
  const docs = rendered();
  const byKind = (kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata.name === name)!;

  it('renders Redis with persistence, the workers and the nightly producer in one namespace', () => {
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`).sort()).toEqual([
      'CronJob/amf-foresight-fleet',
      'Deployment/amf-foresight-worker',
      'Namespace/amf-foresight',
      'Service/redis',
      'StatefulSet/redis',
    ]);
    for (const d of docs.filter((x) => x.kind !== 'Namespace')) expect(d.metadata.namespace).toBe('amf-foresight');
    expect(podSpec(byKind('StatefulSet', 'redis')).containers[0]!.args).toEqual(
      expect.arrayContaining(['--appendonly', 'yes']),
    );
  });

  it('the workers and the producer meet on the same queue, and the producer reads S3 in place', () => {
    const [worker] = podSpec(byKind('Deployment', 'amf-foresight-worker')).containers;
    const [fleet] = podSpec(byKind('CronJob', 'amf-foresight-fleet')).containers;
    expect(worker!.args!.slice(0, 1)).toEqual(['worker']);
    const queue = (c: Container) => c.env!.find((e) => e.name === 'AMF_FORESIGHT_QUEUE')!.value;
    expect(queue(worker!)).toBe('redis://redis:6379/0');
    expect(queue(fleet!)).toBe(queue(worker!));
    expect(fleet!.args!.join(' ')).toMatch(/amf-foresight fleet .*--source "s3:\/\/\$BUCKET\/\$PREFIX" --queue/);
    for (const c of [worker!, fleet!]) expect(c.image).toBe('registry.example.com/amf-foresight:0.1.0');
  });

  it('their requests are the recommender’s, as written by bench/fleet-queue.mjs --write-deploy', () => {
    const [worker] = podSpec(byKind('Deployment', 'amf-foresight-worker')).containers;
    const [fleet] = podSpec(byKind('CronJob', 'amf-foresight-fleet')).containers;
    expect(worker!.resources).toEqual(patched('amf-foresight-worker.json'));
    expect(fleet!.resources).toEqual(patched('amf-foresight-fleet.json'));
    for (const r of [worker!.resources!, fleet!.resources!]) {
      expect(r.requests!['cpu']).toMatch(/^\d+m$/);
      expect(r.requests!['memory']).toMatch(/^\d+Mi$/);
    }
    // A worker's needs are one workload's: bounded. The producer's grow with the fleet: no memory limit.
    expect(worker!.resources!.limits!['memory']).toMatch(/^\d+Mi$/);
    expect(fleet!.resources!.limits).toBeUndefined();
  });
});
