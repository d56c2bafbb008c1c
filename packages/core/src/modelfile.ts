import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { InputError } from './errors.js';
import { writeFileAtomic } from './files.js';

/** Files of a model directory are read into memory: none larger than this (LSTM weights are a few MB). */
export const MAX_MODEL_FILE_BYTES = 256 * 2 ** 20;

/** A model file that is damaged or from elsewhere: MODEL_BAD_FILE, exit 2, naming the file and what is wrong. */
export function badModelFile(file: string, what: string): InputError {
  return new InputError('MODEL_BAD_FILE', `${file}: ${what}`, {
    file,
    hint: 'the model directory is damaged or was not written by amf-foresight train; train again',
  });
}

/** The bytes of a regular file of at most `max` bytes: no device, FIFO or directory (/dev/zero hangs a reader). */
export function readRegularFile(path: string, max = MAX_MODEL_FILE_BYTES): Buffer {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw badModelFile(path, 'missing');
  }
  if (!st.isFile()) throw badModelFile(path, 'not a regular file');
  if (st.size > max) throw badModelFile(path, `${st.size} bytes, more than the ${max} a model file may have`);
  return readFileSync(path);
}

/** A JSON file of a model directory, parsed; damaged JSON is MODEL_BAD_FILE. */
export function readModelJson(path: string): unknown {
  try {
    return JSON.parse(readRegularFile(path).toString('utf8')) as unknown;
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw badModelFile(path, `not valid JSON (${(e as Error).message.replace(/\s+/g, ' ').slice(0, 200)})`);
  }
}

/** `v` as a finite number (within [min, max]), else MODEL_BAD_FILE naming `name`. */
export function finiteNumber(file: string, name: string, v: unknown, o: { min?: number; max?: number } = {}): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw badModelFile(file, `${name} is not a finite number`);
  if (o.min !== undefined && v < o.min) throw badModelFile(file, `${name} is ${v}, below ${o.min}`);
  if (o.max !== undefined && v > o.max) throw badModelFile(file, `${name} is ${v}, above ${o.max}`);
  return v;
}

/** `v` as an array of finite numbers (each ≥ min; of `length` when given). */
export function finiteArray(
  file: string,
  name: string,
  v: unknown,
  o: { min?: number; length?: number } = {},
): number[] {
  if (!Array.isArray(v)) throw badModelFile(file, `${name} is not a list of numbers`);
  if (o.length !== undefined && v.length !== o.length)
    throw badModelFile(file, `${name} has ${v.length} values, not ${o.length}`);
  v.forEach((x, i) => finiteNumber(file, `${name}[${i}]`, x, o.min !== undefined ? { min: o.min } : {}));
  return v as number[];
}

/** Every file under `dir` but manifest.json, as relative paths, sorted. */
function payloadFiles(dir: string, under = dir): string[] {
  return readdirSync(under, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? payloadFiles(dir, join(under, e.name)) : [relative(dir, join(under, e.name))]))
    .filter((f) => f !== 'manifest.json')
    .sort();
}

/** SHA-256 of each payload file of a model directory (what `sealModelDir` records in the manifest). */
export function payloadChecksums(dir: string): Record<string, string> {
  return Object.fromEntries(
    payloadFiles(dir).map((f) => [
      f,
      createHash('sha256')
        .update(readRegularFile(join(dir, f)))
        .digest('hex'),
    ]),
  );
}

/** Files recorded in the manifest's checksums that are missing, changed, or not recorded at all. */
export function checksumProblems(dir: string, recorded: Record<string, string>): string[] {
  const now = payloadChecksums(dir);
  const problems: string[] = [];
  for (const [f, sum] of Object.entries(recorded)) {
    if (!(f in now)) problems.push(`${f} is missing`);
    else if (now[f] !== sum) problems.push(`${f} changed since it was written`);
  }
  for (const f of Object.keys(now)) if (!(f in recorded)) problems.push(`${f} was not written with the model`);
  return problems;
}

/**
 * Records the SHA-256 of every payload file in the directory's manifest.json (`checksums`), once the
 * model and its layers have written everything: `readManifest` then refuses a directory whose files
 * changed, went missing or were added since (a stale conformal.json beside a later model included).
 */
export function sealModelDir(dir: string): void {
  const path = join(dir, 'manifest.json');
  if (!existsSync(path)) return; // a Forecaster of yours may write no manifest
  const m = readModelJson(path) as Record<string, unknown>;
  writeFileAtomic(path, JSON.stringify({ ...m, checksums: payloadChecksums(dir) }, null, 2) + '\n');
}
