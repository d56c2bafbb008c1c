/** Kubernetes quantities, rounded up: CPU in whole millicores, memory in whole MiB. */
export function cpuQuantity(cores: number): string {
  return `${Math.max(1, Math.ceil(cores * 1000 - 1e-9))}m`;
}

export function memoryQuantity(mib: number): string {
  return `${Math.max(1, Math.ceil(mib - 1e-9))}Mi`;
}

export interface ContainerResources {
  cpu?: { request?: number | null; limit?: number | null };
  memory?: { request?: number | null; limit?: number | null };
}

/**
 * A strategic-merge patch of a Deployment (or StatefulSet, DaemonSet) setting one container's requests
 * and limits: `kubectl patch --local -f deployment.yaml --type strategic --patch-file patch.json`.
 * Containers merge by name; a value left out (null) is left as it is.
 */
export function resourcesPatch(container: string, r: ContainerResources): Record<string, unknown> {
  const side = (key: 'request' | 'limit') => {
    const out: Record<string, string> = {};
    const cpu = r.cpu?.[key];
    const memory = r.memory?.[key];
    if (cpu !== undefined && cpu !== null && Number.isFinite(cpu)) out['cpu'] = cpuQuantity(cpu);
    if (memory !== undefined && memory !== null && Number.isFinite(memory)) out['memory'] = memoryQuantity(memory);
    return out;
  };
  const resources: Record<string, Record<string, string>> = {};
  const requests = side('request');
  const limits = side('limit');
  if (Object.keys(requests).length > 0) resources['requests'] = requests;
  if (Object.keys(limits).length > 0) resources['limits'] = limits;
  return { spec: { template: { spec: { containers: [{ name: container, resources }] } } } };
}
