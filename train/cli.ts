/**
 * `npm run train`: the command line around `train()`. Every flag is checked before any work starts,
 * so a typo or an impossible configuration fails at once with a message and exit status 2.
 */
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { maxSetSize } from './data';
import { ENGINES, type Engine, REFERENCE_RECIPE, resumableOverrides, type TrainConfig } from './config';
import { consoleProgress } from './progress';
import type { RunState, TrainOptions } from './train';

export const MAX_DIGITS = 7;
export const DEFAULT_OUT = 'assets/model';
export const DEFAULT_CHECKPOINT = 'train/checkpoint';

export const HELP = `Usage: npm run train -- [options]

Trains the addition LSTM on the tfjs WASM backend and writes the model, its metrics and its model
card into the output directory. The defaults are the reference recipe (Keras addition RNN):
5 digits, Adam lr 0.001, batch 32, 30 epochs, 50,000 sums with 10% for validation.

A checkpoint is written after every epoch; after an interruption, run the same command with
--resume to continue from the last finished epoch. The output directory is replaced only at the
end of a successful run, all at once.

Options:
  --digits N             operand digits, 1-${MAX_DIGITS} (default ${REFERENCE_RECIPE.digits})
  --epochs N             epochs to train in total (default ${REFERENCE_RECIPE.epochs})
  --batch-size N         examples per gradient step (default ${REFERENCE_RECIPE.batchSize})
  --learning-rate X      Adam learning rate (default ${REFERENCE_RECIPE.learningRate})
  --schedule S           constant | cosine: cosine decays to --min-learning-rate (default constant)
  --min-learning-rate X  final learning rate of the cosine schedule (default 0)
  --training-size N      distinct sums generated, validation included (default ${REFERENCE_RECIPE.trainingSize})
  --validation-split X   fraction of them kept for validation (default ${REFERENCE_RECIPE.validationSplit})
  --fresh-data           draw new training sums every epoch (the validation sums stay fixed)
  --full-length-share X  with --fresh-data, the fraction 0-1 of each epoch's training sums drawn
                         with operands of all --digits digits, the hardest sums (see the next
                         flag); the rest are drawn as the reference draws them (default 0, the
                         reference); validation and test sums are never skewed
  --full-length-operands N
                         2: those sums have both operands of all digits (the default); 1: one
                         of them, the other drawn as the reference draws it
  --seed N               seed of the data and the initial weights (default ${REFERENCE_RECIPE.seed})
  --engine E             how gradients are computed: fast (the default) gives the same loss and
                         gradients as fit, tfjs-layers' own model.fit, about 3.5x faster
  --export W             last | best: export the last epoch or the best validation exact match
                         (default ${REFERENCE_RECIPE.export})
  --test-size N          held-out sums evaluated at the end (default 20000, fewer for small digits)
  --out DIR              where the model is written (default ${DEFAULT_OUT})
  --checkpoint DIR       where the per-epoch checkpoint is kept (default ${DEFAULT_CHECKPOINT})
  --resume               continue the run in --checkpoint; only --epochs, --batch-size,
                         --learning-rate, --schedule, --min-learning-rate, --full-length-share,
                         --full-length-operands, --engine and --export may differ from the
                         run's settings
  --overwrite            start a new run even though --checkpoint holds one
  --compare NAME=FILE    show the run whose metrics.json is FILE in the model card (repeatable)
  -h, --help             show this help
`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface ParsedArgs {
  help: boolean;
  options: TrainOptions;
}

function integer(name: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^[0-9]+$/.test(text)) throw new UsageError(`--${name} must be a whole number, got "${text}"`);
  const value = Number(text);
  if (value < min || value > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function real(name: string, text: string, min: number, max: number, inclusiveMin = false): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new UsageError(`--${name} must be a number, got "${text}"`);
  if (value > max || value < min || (!inclusiveMin && value === min)) {
    throw new UsageError(`--${name} must be ${inclusiveMin ? 'at least' : 'greater than'} ${min} and at most ${max}, got ${value}`);
  }
  return value;
}

function choice<T extends string>(name: string, text: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(text)) {
    throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got "${text}"`);
  }
  return text as T;
}

/** Checks that `dir` can be created or written to. */
function assertWritable(flag: string, dir: string): void {
  let probe = path.resolve(dir);
  while (!existsSync(probe)) {
    const parent = path.dirname(probe);
    if (parent === probe) break;
    probe = parent;
  }
  try {
    if (!statSync(probe).isDirectory()) throw new UsageError(`--${flag} ${dir}: ${probe} is not a directory`);
    accessSync(probe, constants.W_OK);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--${flag} ${dir} is not writable`);
  }
}

/** Parses and checks the command line. Throws `UsageError` for anything wrong. */
export function parseTrainArgs(argv: string[]): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        digits: { type: 'string' },
        epochs: { type: 'string' },
        'batch-size': { type: 'string' },
        'learning-rate': { type: 'string' },
        schedule: { type: 'string' },
        'min-learning-rate': { type: 'string' },
        'training-size': { type: 'string' },
        'validation-split': { type: 'string' },
        'fresh-data': { type: 'boolean' },
        'full-length-share': { type: 'string' },
        'full-length-operands': { type: 'string' },
        seed: { type: 'string' },
        engine: { type: 'string' },
        export: { type: 'string' },
        'test-size': { type: 'string' },
        out: { type: 'string' },
        checkpoint: { type: 'string' },
        resume: { type: 'boolean' },
        overwrite: { type: 'boolean' },
        compare: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values;
  const config: Partial<TrainConfig> = {};
  if (v.digits !== undefined) config.digits = integer('digits', v.digits, 1, MAX_DIGITS);
  if (v.epochs !== undefined) config.epochs = integer('epochs', v.epochs, 1, 100000);
  if (v['batch-size'] !== undefined) config.batchSize = integer('batch-size', v['batch-size'], 1, 65536);
  if (v['learning-rate'] !== undefined) config.learningRate = real('learning-rate', v['learning-rate'], 0, 1);
  if (v.schedule !== undefined) config.schedule = choice('schedule', v.schedule, ['constant', 'cosine'] as const);
  if (v['min-learning-rate'] !== undefined) {
    config.minLearningRate = real('min-learning-rate', v['min-learning-rate'], 0, 1, true);
  }
  if (v['training-size'] !== undefined) config.trainingSize = integer('training-size', v['training-size'], 2);
  if (v['validation-split'] !== undefined) config.validationSplit = real('validation-split', v['validation-split'], 0, 0.5);
  if (v['fresh-data']) config.freshData = true;
  if (v['full-length-share'] !== undefined) {
    config.fullLengthShare = real('full-length-share', v['full-length-share'], 0, 1, true);
  }
  if (v['full-length-operands'] !== undefined) {
    config.fullLengthOperands = integer('full-length-operands', v['full-length-operands'], 1, 2) as 1 | 2;
  }
  if (v.seed !== undefined) config.seed = integer('seed', v.seed, 0, 2 ** 32 - 1);
  if (v.engine !== undefined) config.engine = choice<Engine>('engine', v.engine, ENGINES);
  if (v.export !== undefined) config.export = choice('export', v.export, ['last', 'best'] as const);
  if (v['test-size'] !== undefined) config.testSize = integer('test-size', v['test-size'], 1);

  const compare: Record<string, string> = {};
  for (const item of v.compare ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0 || eq === item.length - 1) throw new UsageError(`--compare takes NAME=FILE, got "${item}"`);
    const file = item.slice(eq + 1);
    if (!existsSync(file)) throw new UsageError(`--compare ${item}: ${file} does not exist`);
    compare[item.slice(0, eq)] = file;
  }

  const checkpointDir = v.checkpoint ?? DEFAULT_CHECKPOINT;
  const outDir = v.out ?? DEFAULT_OUT;
  const resume = v.resume === true;
  const options: TrainOptions = { config, checkpointDir, outDir, resume, progress: consoleProgress(), compare };
  if (v.help) return { help: true, options };

  if (resume) {
    if (!existsSync(path.join(checkpointDir, 'state.json')) && !existsSync(`${checkpointDir}.old`)) {
      throw new UsageError(`--resume: there is no checkpoint in ${checkpointDir}`);
    }
    const stateFile = existsSync(path.join(checkpointDir, 'state.json'))
      ? path.join(checkpointDir, 'state.json')
      : path.join(`${checkpointDir}.old`, 'state.json');
    const saved = (JSON.parse(readFileSync(stateFile, 'utf8')) as RunState).config;
    const resumable = Object.keys(resumableOverrides(config));
    const changed = (Object.keys(config) as (keyof TrainConfig)[]).filter(
      (k) => !resumable.includes(k) && config[k] !== saved[k],
    );
    if (changed.length > 0) {
      const what = changed.map((k) => `${k} (run: ${saved[k]}, given: ${config[k]})`).join(', ');
      throw new UsageError(`--resume continues the run as it was configured; it cannot change ${what}`);
    }
    if (v.overwrite) throw new UsageError('--resume and --overwrite contradict each other');
    checkShare({ ...saved, ...config });
  } else {
    if (existsSync(path.join(checkpointDir, 'state.json')) && !v.overwrite) {
      throw new UsageError(
        `${checkpointDir} already holds a run; continue it with --resume, or start over with --overwrite (its checkpoint is then lost)`,
      );
    }
    checkFeasible({ ...REFERENCE_RECIPE, ...config });
  }
  assertWritable('checkpoint', checkpointDir);
  assertWritable('out', outDir);
  return { help: false, options };
}

/** A skewed share of full-length sums applies to fresh training data only. */
function checkShare(config: TrainConfig): void {
  if ((config.fullLengthShare ?? 0) > 0 && !config.freshData) {
    throw new UsageError('--full-length-share skews the fresh training sums of each epoch; it needs a run with --fresh-data');
  }
}

/** Rejects data configurations that cannot be generated, before any work starts. */
function checkFeasible(config: TrainConfig): void {
  checkShare(config);
  const validation = Math.round(config.trainingSize * config.validationSplit);
  if (validation < 1 || validation >= config.trainingSize) {
    throw new UsageError(
      `--validation-split ${config.validationSplit} of --training-size ${config.trainingSize} leaves no validation or no training sums`,
    );
  }
  const available = maxSetSize(config.digits, false);
  if (config.trainingSize > available) {
    throw new UsageError(`--training-size ${config.trainingSize} is more than the ${available} distinct sums available for --digits ${config.digits}`);
  }
  if (config.testSize !== undefined && config.testSize > maxSetSize(config.digits, true)) {
    throw new UsageError(`--test-size ${config.testSize} is more than the ${maxSetSize(config.digits, true)} held-out sums available for --digits ${config.digits}`);
  }
}

export async function main(argv: string[]): Promise<number> {
  let parsed: ParsedArgs;
  try {
    parsed = parseTrainArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`train: ${error.message}\nRun with --help for the options.\n`);
    return 2;
  }
  if (parsed.help) {
    process.stdout.write(HELP);
    return 0;
  }
  // TensorFlow.js loads only once the flags are known to be good.
  const [{ useWasmBackend }, { train }] = await Promise.all([import('./backend'), import('./train')]);
  await useWasmBackend();
  const metrics = await train(parsed.options);
  const t = metrics.test;
  process.stderr.write(
    `Test set (${t.count} held-out sums): exact match ${(100 * t.exactMatch).toFixed(2)}%, per character ${(100 * t.accuracy).toFixed(2)}%\n` +
      `Model written to ${parsed.options.outDir}\n`,
  );
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`train: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}

