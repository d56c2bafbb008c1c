import { InputError } from '@amf-foresight/core';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The parts of TensorFlow.js the LSTM uses (tensors, training, layers), not the whole @tensorflow/tfjs bundle. */
export type Tf = typeof import('@tensorflow/tfjs-core') & typeof import('@tensorflow/tfjs-layers');

let parts: Tf | undefined;

/** tfjs-core with tfjs-layers, and the cpu backend registered (the WebAssembly one is loaded when chosen). */
async function tfParts(): Promise<Tf> {
  if (parts) return parts;
  const [core, layers] = await Promise.all([import('@tensorflow/tfjs-core'), import('@tensorflow/tfjs-layers')]);
  await import('@tensorflow/tfjs-backend-cpu');
  parts = { ...core, ...layers };
  return parts;
}
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

// A variable, not a literal: the package is an optional peer that type checks and bundlers must not require.
const TFJS_NODE = '@tensorflow/tfjs-node';

let preferred: { tf: Tf; backend: BackendName; reason: string } | undefined;

/**
 * TensorFlow.js on the backend that fits this network fastest: WebAssembly (its .wasm files read
 * from the installed package), else `@tensorflow/tfjs-node` (native libtensorflow) when installed,
 * else the pure-JS cpu backend. WebAssembly comes first on a measurement, not a guess: the network
 * is small, so a fit is bound by per-operation overhead, which is larger through libtensorflow's
 * eager C API (bench/lstm.mjs: tfjs-node ≈ 1.5× slower). `prefer` forces one (tests, comparisons).
 */
export async function tensorflow(prefer?: BackendName): Promise<{ tf: Tf; backend: BackendName; reason: string }> {
  const tf = await tfParts();
  if (preferred && (!prefer || prefer === preferred.backend)) {
    // A forced backend may be active since; tfjs keeps one global backend.
    if (tf.getBackend() !== preferred.backend) await tf.setBackend(preferred.backend);
    return preferred;
  }
  // PROD silences tfjs's console advice ("install tfjs-node"), which would land in our CLI output.
  tf.env().set('PROD', true);
  const require = createRequire(import.meta.url);
  const order: BackendName[] = prefer ? [prefer] : ['wasm', 'tensorflow', 'cpu'];
  const notes: string[] = [];
  for (const name of order) {
    try {
      if (name === 'tensorflow') {
        // libtensorflow's INFO lines (CPU features) would land in our CLI output; warnings stay.
        process.env['TF_CPP_MIN_LOG_LEVEL'] ??= '1';
        // An optional peer: it registers the 'tensorflow' backend on the same tfjs-core.
        await import(TFJS_NODE);
      } else if (name === 'wasm') {
        const wasm = await import('@tensorflow/tfjs-backend-wasm');
        wasm.setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');
      }
      if (await tf.setBackend(name)) {
        await tf.ready();
        if (!prefer && name === 'wasm' && installed(require)) notes.push('faster here than the installed tfjs-node');
        const got = { tf, backend: name, reason: notes.length ? `${name} (${notes.join('; ')})` : name };
        if (!prefer) preferred = got;
        return got;
      }
      notes.push(`${name}: not usable`);
    } catch (e) {
      const msg = (e as Error).message;
      // The native backend is optional: its absence is a note, not an error.
      notes.push(
        name === 'tensorflow' && /Cannot find (package|module)|Could not resolve/.test(msg)
          ? '@tensorflow/tfjs-node is not installed'
          : `${name}: ${msg.split('\n')[0]}`,
      );
    }
  }
  throw new InputError('LSTM_NO_BACKEND', `no TensorFlow.js backend could start: ${notes.join('; ')}`, {
    hint:
      prefer === 'tensorflow'
        ? 'npm install @tensorflow/tfjs-node (it downloads libtensorflow), or leave the backend unset'
        : 'reinstall @amf-foresight/models-lstm (it brings tfjs-core, -layers, -backend-cpu and -backend-wasm)',
  });
}

/** Whether the optional tfjs-node peer is installed (resolved, not loaded: loading starts libtensorflow). */
function installed(require: NodeJS.Require): boolean {
  try {
    require.resolve(TFJS_NODE);
    return true;
  } catch {
    return false;
  }
}
