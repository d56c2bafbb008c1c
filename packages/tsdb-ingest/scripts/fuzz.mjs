#!/usr/bin/env node
// Fuzzes the TSDB reader with damaged blocks: bit flips, truncations, overwritten ranges,
// wrong magic and version bytes, broken meta.json, and (with chunk CRCs off) garbage fed
// straight to the XOR decoder. Every failure must be a TsdbError; anything else is a bug.
//
//   node packages/tsdb-ingest/scripts/fuzz.mjs [--iterations N] [--seed S]   (after `make build`)
//
// The unit suite imports `fuzz` from here and runs a small sample against the sources.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const TESTDATA = join(here, '..', 'testdata');

/** Loads every block of the fixtures as in-memory files. */
export function loadCorpus() {
  const corpus = [];
  for (const set of ['blocks', 'tombstones', 'stale', 'histograms', 'compacted']) {
    for (const ulid of readdirSync(join(TESTDATA, set)).sort()) {
      const dir = join(TESTDATA, set, ulid);
      const segs = readdirSync(join(dir, 'chunks')).sort();
      let tombstones;
      try {
        tombstones = readFileSync(join(dir, 'tombstones'));
      } catch {}
      corpus.push({
        name: `${set}/${ulid}`,
        meta: readFileSync(join(dir, 'meta.json')),
        index: readFileSync(join(dir, 'index')),
        segments: segs.map((s) => readFileSync(join(dir, 'chunks', s))),
        tombstones,
      });
    }
  }
  return corpus;
}

function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const OPS = ['flip', 'flip', 'flip', 'truncate', 'overwrite', 'zero', 'magic', 'version', 'meta', 'garbage-chunks', 'garbage-chunks', 'extend'];

/** Applies one random mutation to a copy of `block`; returns the copy and what was done. */
export function mutate(block, rand) {
  const b = {
    meta: Buffer.from(block.meta),
    index: Buffer.from(block.index),
    segments: block.segments.map((s) => Buffer.from(s)),
    tombstones: block.tombstones ? Buffer.from(block.tombstones) : undefined,
    verifyChunks: true,
  };
  const op = OPS[Math.floor(rand() * OPS.length)];
  const files = ['index', 'segment', 'index', 'segment', 'meta'];
  if (b.tombstones) files.push('tombstones');
  const which = files[Math.floor(rand() * files.length)];
  const get = () => (which === 'segment' ? b.segments[0] : b[which]);
  const set = (buf) => (which === 'segment' ? (b.segments[0] = buf) : (b[which] = buf));
  let f = get();
  const at = Math.floor(rand() * f.length);
  switch (op) {
    case 'flip': {
      const n = 1 + Math.floor(rand() * 8);
      for (let i = 0; i < n; i++) {
        const p = Math.floor(rand() * f.length);
        f[p] ^= 1 << Math.floor(rand() * 8);
      }
      break;
    }
    case 'truncate':
      set(f.subarray(0, at));
      break;
    case 'extend':
      set(Buffer.concat([f, Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 64) }, () => Math.floor(rand() * 256)))]));
      break;
    case 'overwrite':
    case 'zero': {
      const len = 1 + Math.floor(rand() * 64);
      for (let i = at; i < Math.min(f.length, at + len); i++) f[i] = op === 'zero' ? 0 : Math.floor(rand() * 256);
      break;
    }
    case 'magic':
      if (f.length > 0) f[Math.floor(rand() * Math.min(4, f.length))] ^= 0xff;
      break;
    case 'version':
      if (f.length > 4) f[4] = Math.floor(rand() * 256);
      break;
    case 'meta': {
      const text = b.meta.toString('utf8');
      const edits = [
        () => text.slice(0, Math.floor(rand() * text.length)),
        () => text.replace(/"version": 1/, `"version": ${Math.floor(rand() * 4)}`),
        () => text.replace(/"minTime": (\d+)/, '"minTime": "$1"'),
        () => text.replace(/"ulid": "[^"]*"/, '"ulid": "not-a-ulid"'),
        () => text.replace(/"compaction"/, '"compactio"'),
        () => text.replace(/"maxTime": \d+/, '"maxTime": 5'),
        () => '[]',
        () => text.replace(/"level": \d+/, '"level": null'),
      ];
      b.meta = Buffer.from(edits[Math.floor(rand() * edits.length)]());
      break;
    }
    case 'garbage-chunks': {
      // Damage chunk data with CRC checks off: the XOR decoder itself sees the garbage.
      b.verifyChunks = false;
      const s = b.segments[0];
      const n = 1 + Math.floor(rand() * 16);
      for (let i = 0; i < n; i++) {
        const p = 8 + Math.floor(rand() * Math.max(1, s.length - 8));
        if (p < s.length) s[p] ^= 1 << Math.floor(rand() * 8);
      }
      return { bytes: b, what: `garbage chunks ×${n}` };
    }
  }
  return { bytes: b, what: `${op} ${which}${op === 'truncate' ? ` at ${at}` : ''}` };
}

/**
 * Runs `iterations` mutated blocks through `lib` (the package's exports). Returns counts
 * by error code, the untyped failures (should be none) and the slowest case.
 */
export function fuzz(lib, { iterations = 10000, seed = 1, corpus = loadCorpus() } = {}) {
  const rand = rng(seed);
  const codes = {};
  const untyped = [];
  let ok = 0;
  let slowest = { ms: 0, what: '' };
  for (let i = 0; i < iterations; i++) {
    const base = corpus[Math.floor(rand() * corpus.length)];
    const { bytes, what } = mutate(base, rand);
    const t0 = performance.now();
    try {
      const block = lib.blockFromBytes(bytes, base.name);
      lib.querySamples([block], {});
      lib.querySamples([block], { matchers: '{job=~"demo|hist|exporter"}', minTime: block.meta.minTime + 60000, maxTime: block.meta.maxTime - 60000 });
      ok++;
    } catch (e) {
      if (e instanceof lib.TsdbError) codes[e.code] = (codes[e.code] ?? 0) + 1;
      else untyped.push({ block: base.name, what, error: String(e && e.stack ? e.stack : e) });
    }
    const ms = performance.now() - t0;
    if (ms > slowest.ms) slowest = { ms, what: `${base.name}: ${what}` };
  }
  return { iterations, ok, codes, untyped, slowest };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const opt = (name, d) => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : d;
  };
  const iterations = opt('--iterations', 10000);
  const seed = opt('--seed', 1);
  const lib = await import('@amf-foresight/tsdb-ingest');
  const t0 = performance.now();
  const r = fuzz(lib, { iterations, seed });
  const secs = (performance.now() - t0) / 1000;
  console.log(`fuzzed ${r.iterations} mutated blocks in ${secs.toFixed(1)} s (seed ${seed})`);
  console.log(`  read without error (damage in unread bytes or in values): ${r.ok}`);
  for (const [code, n] of Object.entries(r.codes).sort((a, b) => b[1] - a[1])) console.log(`  ${code}: ${n}`);
  console.log(`  slowest case: ${r.slowest.ms.toFixed(1)} ms (${r.slowest.what})`);
  console.log(`untyped exceptions: ${r.untyped.length}`);
  for (const u of r.untyped.slice(0, 5)) console.log(`  ${u.block}: ${u.what}\n    ${u.error.split('\n').slice(0, 4).join('\n    ')}`);
  process.exitCode = r.untyped.length === 0 ? 0 : 1;
}
