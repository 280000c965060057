/**
 * TensorFlow.js for training in Node: the union package (which registers the chained tensor
 * methods tfjs-layers relies on) on the WASM backend, SIMD and single-threaded.
 */
import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';

export async function useWasmBackend(): Promise<void> {
  if (tf.getBackend() === 'wasm') return;
  if (!(await tf.setBackend('wasm'))) throw new Error('the tfjs WASM backend failed to initialise');
  await tf.ready();
}
