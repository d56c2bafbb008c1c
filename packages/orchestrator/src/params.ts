import { UsageError } from '@amf-foresight/core';

/** What a model parameter accepts, for `--model-param key=value` and for code. */
export type ParamSpec =
  | { type: 'number' | 'integer'; describe: string; min?: number; max?: number }
  | { type: 'boolean'; describe: string }
  | { type: 'choice'; describe: string; choices: readonly (string | boolean)[]; orNumber?: boolean }
  | { type: 'integers'; describe: string; length?: number; min?: number };

export type ParamSpecs = Readonly<Record<string, ParamSpec>>;

function bounds(spec: ParamSpec): string {
  const min = 'min' in spec ? spec.min : undefined;
  const max = 'max' in spec ? spec.max : undefined;
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  return min !== undefined ? ` ≥ ${min}` : max !== undefined ? ` ≤ ${max}` : '';
}

function bad(model: string, key: string, spec: ParamSpec, got: unknown): UsageError {
  const want =
    spec.type === 'choice'
      ? `one of ${spec.choices.join(', ')}${spec.orNumber ? ' or a number' : ''}`
      : spec.type === 'integers'
        ? `${spec.length ?? 'a list of'} whole numbers, comma-separated`
        : `${{ integer: 'a whole number', number: 'a number', boolean: 'true or false' }[spec.type]}${bounds(spec)}`;
  return new UsageError('BAD_MODEL_PARAM', `${model} parameter ${key} must be ${want}, got ${JSON.stringify(got)}`, {
    flag: '--model-param',
    hint: `${key}: ${spec.describe}`,
  });
}

/** One value, from a string (the command line) or already typed (code), checked against its spec. */
function coerce(model: string, key: string, spec: ParamSpec, raw: unknown): unknown {
  const s = typeof raw === 'string' ? raw.trim() : raw;
  switch (spec.type) {
    case 'number':
    case 'integer': {
      const n = typeof s === 'string' && s !== '' ? Number(s) : s;
      const ok =
        typeof n === 'number' &&
        Number.isFinite(n) &&
        (spec.type === 'number' || Number.isInteger(n)) &&
        !(spec.min !== undefined && n < spec.min) &&
        !(spec.max !== undefined && n > spec.max);
      if (!ok) throw bad(model, key, spec, raw);
      return n;
    }
    case 'boolean':
      if (s === true || s === 'true') return true;
      if (s === false || s === 'false') return false;
      throw bad(model, key, spec, raw);
    case 'choice': {
      const v = s === 'true' ? true : s === 'false' ? false : s;
      if (spec.choices.includes(v as string | boolean)) return v;
      const n = typeof s === 'string' && s !== '' ? Number(s) : s;
      if (spec.orNumber && typeof n === 'number' && Number.isFinite(n) && n > 0) return n;
      throw bad(model, key, spec, raw);
    }
    case 'integers': {
      const xs = Array.isArray(s)
        ? s
        : typeof s === 'string'
          ? s.split(',').map((x) => (x.trim() === '' ? NaN : Number(x)))
          : [];
      const ok =
        xs.length > 0 &&
        xs.every((x) => Number.isInteger(x) && !(spec.min !== undefined && (x as number) < spec.min)) &&
        (spec.length === undefined || xs.length === spec.length);
      if (!ok) throw bad(model, key, spec, raw);
      return xs;
    }
  }
}

/**
 * Model parameters checked against the model's specs: unknown names are refused with the list of
 * known ones, values are converted from strings where they come from the command line.
 */
export function checkParams(
  model: string,
  specs: ParamSpecs,
  given: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(given)) {
    const spec = specs[key];
    if (!spec) {
      const known = Object.keys(specs);
      throw new UsageError('UNKNOWN_MODEL_PARAM', `${model} has no parameter ${JSON.stringify(key)}`, {
        flag: '--model-param',
        hint: known.length ? `it takes ${known.join(', ')}` : `${model} takes no parameters`,
      });
    }
    out[key] = coerce(model, key, spec, raw);
  }
  return out;
}

/** `--model-param key=value` flags (repeatable) as an object; a key given twice is refused. */
export function parseParamFlags(flags: readonly string[] | string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of flags === undefined ? [] : typeof flags === 'string' ? [flags] : flags) {
    const m = /^([A-Za-z][\w.]*)=(.*)$/s.exec(f);
    if (!m)
      throw new UsageError('BAD_MODEL_PARAM', `--model-param wants key=value, got ${JSON.stringify(f)}`, {
        flag: '--model-param',
        hint: 'e.g. --model-param seed=7',
      });
    if (m[1]! in out)
      throw new UsageError('BAD_MODEL_PARAM', `--model-param ${m[1]} is given twice`, { flag: '--model-param' });
    out[m[1]!] = m[2]!;
  }
  return out;
}
