/// <reference types="emscripten" />
/**
 * TensorFlow.js for the Worker: tfjs-core on the WASM backend (SIMD, one thread).
 *
 * workerd refuses to compile WebAssembly from bytes at run time, which is how the backend's own
 * `init()` loads its binary. Instead the SIMD binary is imported as a module that wrangler compiles
 * ahead of time (its `CompiledWasm` rule for `*.wasm`), handed to the backend's emscripten factory
 * through the `instantiateWasm` hook, and wrapped the way `init()` does before it is registered as
 * the `'wasm'` backend. The binary is a copy of the package's (`npm run vendor-wasm`, run on
 * install) because the vitest Workers pool cannot import a `.wasm` from node_modules.
 *
 * Importing the backend package registers its kernels and a `'wasm'` backend factory that would
 * compile from bytes; that factory is replaced, the kernels stay registered under `'wasm'`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import createWasmModule, { type BackendWasmModule } from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.js';
import simdBinary from './vendor/tfjs-backend-wasm-simd.wasm';

const BACKEND = 'wasm';

let initialising: Promise<void> | undefined;
let initialised = false;

/**
 * Initialises the WASM backend and makes it the current one. Concurrent callers share one attempt;
 * a failed attempt is forgotten, so that the next call tries again.
 */
export function initBackend(): Promise<void> {
  initialising ??= selectBackend().catch((error: unknown) => {
    initialising = undefined;
    throw error;
  });
  return initialising;
}

/** The backend's name once `initBackend` has succeeded, otherwise null. */
export function backendName(): string | null {
  return initialised ? tf.getBackend() : null;
}

/** Live tensors (`tf.memory().numTensors`), or null before the backend is initialised. */
export function tensorCount(): number | null {
  // tf.memory() would otherwise initialise a backend of tfjs's own choosing.
  return initialised ? tf.memory().numTensors : null;
}

async function selectBackend(): Promise<void> {
  const backend = new BackendWasm(await instantiateBackendModule());
  if (tf.findBackendFactory(BACKEND) !== null) tf.removeBackend(BACKEND);
  tf.registerBackend(BACKEND, () => backend);
  if (!(await tf.setBackend(BACKEND))) throw new Error('tfjs could not switch to the WASM backend');
  initialised = true;
}

type ReceiveInstance = (instance: WebAssembly.Instance, module: WebAssembly.Module) => void;

/** Runs the emscripten factory on the precompiled binary and adds the `tfjs` wrappers `init()` adds. */
async function instantiateBackendModule(): Promise<BackendWasmModule> {
  // emscripten's ready promise never settles if instantiation fails, so failures race it.
  let fail: (error: unknown) => void = () => {};
  const failed = new Promise<never>((_resolve, reject) => {
    fail = reject;
  });
  const ready = createWasmModule({
    instantiateWasm(imports: WebAssembly.Imports, receive: ReceiveInstance) {
      WebAssembly.instantiate(simdBinary, imports).then((instance) => receive(instance, simdBinary), fail);
      return {}; // Tells emscripten that the exports arrive later, through `receive`.
    },
    onAbort: (reason: string) => fail(new Error(`the WASM backend aborted: ${reason}`)),
  });
  const wasm = await Promise.race([ready, failed]);
  wasm.tfjs = {
    init: wasm.cwrap('init', null, []),
    initWithThreadsCount: wasm.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: wasm.cwrap('get_threads_count', 'number', []),
    registerTensor: wasm.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: wasm.cwrap('dispose_data', null, ['number']),
    dispose: wasm.cwrap('dispose', null, []),
  };
  return wasm;
}
