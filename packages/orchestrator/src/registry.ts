import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, UsageError, badModelFile, finiteArray, readManifest, readModelJson } from '@amf-foresight/core';
import type { Forecaster } from '@amf-foresight/core';
import { BUILTIN_MODELS } from './builtins.js';
import { CONFORMAL_FILE, Conformal } from './conformal.js';
import type { Calibration } from './conformal.js';
import { DOMAIN_FILE, NonNegative } from './domain.js';
import { checkParams } from './params.js';

/** models-seasonal's Deseasonalised writes it (the package is an optional peer: not imported for a constant). */
const SEASONAL_FILE = 'seasonal.json';
import type { ParamSpecs } from './params.js';

/** What the pipeline tells every model, besides the user's parameters. */
export interface ModelOptions {
  /** Season in steps for SNAIVE / MSTL (default: one day of the step). */
  season?: number;
  /** Longest horizon the model must serve (ARIMA and LSTM size their output by it). */
  maxHorizon?: number;
  /** Progress of models that report it (LSTM: backend and epochs). */
  log?: (message: string) => void;
  /** The model's own parameters (see `modelParams(name)`), checked before use. */
  params?: Readonly<Record<string, unknown>>;
}

/** A model package's side of the registry, loaded on first use. */
export interface ModelKind {
  create(o: ModelOptions & { params: Record<string, unknown> }): Forecaster;
  load(dir: string, o: Pick<ModelOptions, 'log'>): Forecaster | Promise<Forecaster>;
}

export interface ModelEntry {
  /** Imports the model's package (only when the model is used) and returns its factory. */
  load(): Promise<ModelKind>;
  /** The parameters `--model-param` and `params` accept. */
  params: ParamSpecs;
  /** The npm package to install when the import fails. */
  packageName?: string;
}

const entries = new Map<string, ModelEntry>(Object.entries(BUILTIN_MODELS));

/**
 * Adds a model under `name` (case-insensitive, stored upper-case). The orchestrator registers its
 * built-in models the same way; a name registered twice is refused unless `replace` is set.
 */
export function registerModel(name: string, entry: ModelEntry, o: { replace?: boolean } = {}): void {
  const key = name.trim().toUpperCase();
  if (!/^[A-Z][A-Z0-9_-]*$/.test(key))
    throw new UsageError('BAD_MODEL_NAME', `model names are letters, digits, - and _, got ${JSON.stringify(name)}`);
  if (key === 'AUTO') throw new UsageError('BAD_MODEL_NAME', 'AUTO is the backtest-and-pick mode, not a model name');
  if (entries.has(key) && !o.replace)
    throw new UsageError('MODEL_REGISTERED', `a model named ${key} is registered already`, {
      hint: 'pass { replace: true } to replace it',
    });
  entries.set(key, entry);
}

/** Every registered model name, built-ins first. */
export function modelNames(): string[] {
  return [...entries.keys()];
}

export function normaliseModelName(name: string): string {
  const up = name.trim().toUpperCase();
  if (up === 'AUTO' || entries.has(up)) return up;
  throw new UsageError('UNKNOWN_MODEL', `unknown model ${JSON.stringify(name)}`, {
    flag: '--model',
    hint: `use one of ${[...entries.keys(), 'auto'].join(', ')}`,
  });
}

/**
 * Checks a model name and its parameters before any data is read (a command line fails fast):
 * the parameters converted, or a UsageError naming the parameter and what it takes.
 */
export function checkModel(name: string, params: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  const key = normaliseModelName(name);
  if (key === 'AUTO') {
    if (Object.keys(params).length > 0)
      throw new UsageError(
        'BAD_MODEL_PARAM',
        'auto picks among several models: --model-param applies to one named model',
        { flag: '--model-param' },
      );
    return {};
  }
  return checkParams(key, entry(key).params, params);
}

/** The parameters a model accepts. */
export function modelParams(name: string): ParamSpecs {
  return entry(name).params;
}

function entry(name: string): ModelEntry {
  const key = normaliseModelName(name);
  const e = entries.get(key);
  if (!e) throw new UsageError('UNKNOWN_MODEL', `${key} is not a single model`, { flag: '--model' });
  return e;
}

async function kind(name: string): Promise<ModelKind> {
  const e = entry(name);
  try {
    return await e.load();
  } catch (err) {
    if (err instanceof UsageError || err instanceof InputError) throw err;
    const missing = /Cannot find (package|module)|Could not resolve/.test((err as Error).message);
    throw new InputError(
      'MODEL_NOT_INSTALLED',
      `model ${normaliseModelName(name)} cannot be loaded: ${(err as Error).message.split('\n')[0]}`,
      {
        hint: missing && e.packageName ? `npm install ${e.packageName}` : 'reinstall the model package',
      },
    );
  }
}

/**
 * A factory of fresh, unfitted models of `name` (backtests fit one per window). The model's
 * package is imported here, on first use; parameters are checked once, before any fit.
 */
export async function modelFactory(name: string, o: ModelOptions = {}): Promise<() => Forecaster> {
  const e = entry(name);
  const params = checkParams(normaliseModelName(name), e.params, o.params ?? {});
  const k = await kind(name);
  return () => k.create({ ...o, params });
}

/** One unfitted model of `name`. */
export async function makeModel(name: string, o: ModelOptions = {}): Promise<Forecaster> {
  return (await modelFactory(name, o))();
}

/**
 * Loads a saved model of any registered kind (named in its manifest), with its conformal calibration
 * and its domain if it has them.
 */
export async function loadModel(dir: string, o: Pick<ModelOptions, 'log'> = {}): Promise<Forecaster> {
  const m = readManifest(dir, '*');
  const nonNegative = existsSync(join(dir, DOMAIN_FILE));
  let model = await (await kind(m.model)).load(dir, o);
  // A member of a combination fitted on the seasonally adjusted series (THETA wraps itself).
  if (existsSync(join(dir, SEASONAL_FILE)) && m.model.toUpperCase() !== 'THETA') {
    const { Deseasonalised } = await import('@amf-foresight/models-seasonal');
    model = Deseasonalised.wrap(model, dir);
  }
  // The layers as train made them: NonNegative(model), and for auto NonNegative(Conformal(NonNegative(model))).
  if (nonNegative) model = new NonNegative(model);
  const cal = join(dir, CONFORMAL_FILE);
  if (!existsSync(cal)) return model;
  model = new Conformal(model, readCalibration(cal));
  return nonNegative ? new NonNegative(model) : model;
}

/** conformal.json, checked: per step a list of finite errors ≥ 0 and, if present, as many weights > 0. */
function readCalibration(file: string): Calibration {
  const c = readModelJson(file) as Partial<Calibration> | null;
  if (!c || !Array.isArray(c.absErrors)) throw badModelFile(file, 'absErrors is not a list per horizon step');
  c.absErrors.forEach((e, i) => finiteArray(file, `absErrors[${i}]`, e, { min: 0 }));
  if (c.weights !== undefined) {
    if (!Array.isArray(c.weights) || c.weights.length !== c.absErrors.length)
      throw badModelFile(file, 'weights do not match absErrors');
    c.weights.forEach((w, i) =>
      finiteArray(file, `weights[${i}]`, w, { min: Number.MIN_VALUE, length: c.absErrors![i]!.length }),
    );
  }
  return c as Calibration;
}
