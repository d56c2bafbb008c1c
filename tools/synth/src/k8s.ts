import type { Rng } from './rng.js';

// Kubernetes' rand.String alphabet: no vowels, no 0/1/3 (SafeEncodeString).
const ALNUM = 'bcdfghjklmnpqrstvwxz2456789';
const HEX = '0123456789abcdef';

export function k8sHash(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALNUM[rng.int(0, ALNUM.length)]!;
  return s;
}

export function hex(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += HEX[rng.int(0, 16)]!;
  return s;
}

export function uid(rng: Rng): string {
  return `${hex(rng, 8)}-${hex(rng, 4)}-4${hex(rng, 3)}-${HEX[8 + rng.int(0, 4)]}${hex(rng, 3)}-${hex(rng, 12)}`;
}
