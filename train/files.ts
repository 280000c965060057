/**
 * Reading and writing models and run files on disk, in Node. Models are stored in the standard
 * TensorFlow.js Layers format (`model.json` plus one `weights.bin`), written through a save handler
 * because `file://` saving needs tfjs-node, which cannot be installed here.
 *
 * Directories are replaced atomically: the new contents are written next to the target and renamed
 * into place, so a run killed at any moment leaves either the old directory or the new one.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';

/** The `model.json` of a Layers model, as `tf.loadLayersModel` reads it. */
export function modelJson(artifacts: tf.io.ModelArtifacts, weightsPath = WEIGHTS_FILE): tf.io.ModelJSON {
  if (artifacts.modelTopology == null || artifacts.weightSpecs == null) {
    throw new Error('model artifacts have no topology or no weights');
  }
  return {
    format: 'layers-model',
    generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tfl.version_layers}`,
    convertedBy: null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [weightsPath], weights: artifacts.weightSpecs }],
    ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
  };
}

/** Serialises a model to the bytes of `model.json` and `weights.bin`. */
export async function modelFiles(model: tfl.LayersModel): Promise<{ json: string; weights: Uint8Array }> {
  let files: { json: string; weights: Uint8Array } | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData;
      const buffer = data === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(data);
      files = { json: JSON.stringify(modelJson(artifacts)), weights: new Uint8Array(buffer) };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (files === undefined) throw new Error('the save handler was not called');
  return files;
}

/** Writes `model.json` and `weights.bin` into `dir` (which must exist). */
export async function writeModel(model: tfl.LayersModel, dir: string): Promise<void> {
  const { json, weights } = await modelFiles(model);
  await writeFile(path.join(dir, WEIGHTS_FILE), weights);
  await writeFile(path.join(dir, MODEL_FILE), json);
}

/** Loads a Layers model from a directory holding `model.json` and its weight files. */
export async function loadModel(dir: string): Promise<tfl.LayersModel> {
  const json = JSON.parse(await readFile(path.join(dir, MODEL_FILE), 'utf8')) as tf.io.ModelJSON;
  const artifacts = await tf.io.getModelArtifactsForJSON(json, async (manifest) => {
    const specs = manifest.flatMap((group) => group.weights);
    const buffers = await Promise.all(
      manifest.flatMap((group) => group.paths).map(async (file) => {
        const bytes = await readFile(path.join(dir, file));
        return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      }),
    );
    return [specs, buffers.length === 1 ? buffers[0] : buffers];
  });
  return tfl.loadLayersModel(tf.io.fromMemory(artifacts));
}

/**
 * Replaces `dir` with a directory filled by `fill`. The new contents are built in a sibling
 * directory and swapped in with renames; if the process dies between the two renames, the previous
 * directory is left as `<dir>.old` and `recoverDirectory` puts it back.
 */
export async function replaceDirectory(dir: string, fill: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}`;
  const old = `${dir}.old`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  try {
    await fill(tmp);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
  await rm(old, { recursive: true, force: true });
  if (existsSync(dir)) await rename(dir, old);
  await rename(tmp, dir);
  await rm(old, { recursive: true, force: true });
}

/** Undoes an interrupted `replaceDirectory`: restores `<dir>.old` if `dir` itself is missing. */
export async function recoverDirectory(dir: string): Promise<void> {
  const old = `${dir}.old`;
  if (!existsSync(dir) && existsSync(old)) await rename(old, dir);
}

export async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
}

export async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(file, 'utf8')) as T;
}
