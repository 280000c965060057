/**
 * The real `train` command, run as a child process on tiny configurations: its files, its refusals
 * and its recovery from being killed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Metrics, RunState } from '../../train/train';

const root = path.resolve(import.meta.dirname, '../..');
let work: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'adder-train-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function start(args: string[]): ChildProcess & { output: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'train/cli.ts', ...args], { cwd: root });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const output = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return Object.assign(child, { output });
}

const run = (args: string[]) => start(args).output;

const tiny = (name: string, epochs = 1) => [
  '--digits', '2',
  '--training-size', '400',
  '--epochs', String(epochs),
  '--test-size', '50',
  '--checkpoint', path.join(work, name, 'checkpoint'),
  '--out', path.join(work, name, 'model'),
];

describe('npm run train', () => {
  it('trains a tiny model and writes every file it promises', async () => {
    // The stock model.fit engine here; the other tests run the default, fast one.
    const { code, stderr } = await run([...tiny('smoke'), '--engine', 'fit']);
    expect(stderr).toMatch(/epoch 1\/1: loss [0-9.]+ acc [0-9.]+ \| val_loss [0-9.]+ val_acc [0-9.]+ val_exact [0-9.]+/);
    expect(code).toBe(0);
    const out = path.join(work, 'smoke', 'model');
    for (const file of ['model.json', 'weights.bin', 'metrics.json', 'MODEL_CARD.md', 'training.svg', 'model.svg']) {
      expect(existsSync(path.join(out, file)), file).toBe(true);
    }
    const metrics = JSON.parse(await readFile(path.join(out, 'metrics.json'), 'utf8')) as Metrics;
    expect(metrics.parameters).toBe(205324);
    expect(metrics.history).toHaveLength(1);
    expect(metrics.history[0]).toMatchObject({ epoch: 1, batchSize: 32, learningRate: 0.001, samples: 360, engine: 'fit' });
    expect(metrics.test.count).toBe(50);
    expect(metrics.test.exactMatch).toBeGreaterThanOrEqual(0);
    const card = await readFile(path.join(out, 'MODEL_CARD.md'), 'utf8');
    expect(card).toContain('| Epochs | Train Loss | Train Accuracy | Validation Loss | Validation Accuracy | Validation Exact Match |');
    expect(card).toContain('205,324 parameters');
    const curves = await readFile(path.join(out, 'training.svg'), 'utf8');
    expect(curves).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const layers = await readFile(path.join(out, 'model.svg'), 'utf8');
    expect(layers).toContain('encoder: LSTM');
    expect(layers).toContain('[None, 3, 12]');
    const checkpoint = path.join(work, 'smoke', 'checkpoint');
    for (const file of ['state.json', 'last/model.json', 'last/weights.bin', 'last/optimizer.bin', 'best/model.json']) {
      expect(existsSync(path.join(checkpoint, file)), file).toBe(true);
    }
  });

  it('prints its options with --help', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: npm run train/);
    for (const flag of ['--digits', '--epochs', '--batch-size', '--learning-rate', '--training-size', '--seed', '--out', '--resume']) {
      expect(stdout).toContain(flag);
    }
  });

  const refusals: [string, string[] | (() => string[]), RegExp][] = [
    ['zero epochs', ['--epochs', '0'], /--epochs must be between 1/],
    ['digits below range', ['--digits', '0'], /--digits must be between 1 and 7/],
    ['digits above range', ['--digits', '8'], /--digits must be between 1 and 7/],
    ['a non-number', ['--batch-size', 'big'], /--batch-size must be a whole number/],
    ['a negative learning rate', ['--learning-rate=-1'], /--learning-rate must be greater than 0/],
    ['a zero learning rate', ['--learning-rate', '0'], /--learning-rate must be greater than 0/],
    ['an unknown flag', ['--epoch', '3'], /Unknown option '--epoch'/],
    ['an unknown engine', ['--engine', 'gpu'], /--engine must be one of fit, fast/],
    ['more sums than exist', ['--digits', '1', '--training-size', '1000'], /more than the \d+ distinct sums available/],
    ['an output under a file', ['--out', path.join(root, 'package.json', 'model')], /is not a directory/],
    ['resume without a checkpoint', ['--resume', '--checkpoint', '/nonexistent/checkpoint'], /no checkpoint in/],
    ['a share above one', ['--fresh-data', '--full-length-share', '1.5'], /--full-length-share must be at least 0 and at most 1/],
    ['a third full-length operand', ['--fresh-data', '--full-length-operands', '3'], /--full-length-operands must be between 1 and 2/],
    ['a share without fresh data', ['--full-length-share', '0.3'], /needs a run with --fresh-data/],
    ['a share on resuming a run of fixed data', () => ['--resume', '--checkpoint', path.join(work, 'smoke', 'checkpoint'), '--full-length-share', '0.3'], /needs a run with --fresh-data/],
    ['changing the data on resume', () => ['--resume', '--checkpoint', path.join(work, 'smoke', 'checkpoint'), '--digits', '3'], /cannot change digits \(run: 2, given: 3\)/],
  ];
  it.each(refusals)('refuses %s at once, before any work', async (_name, args, message) => {
    const checkpoint = path.join(work, 'refused', 'checkpoint');
    const { code, stderr } = await run(['--checkpoint', checkpoint, ...(typeof args === 'function' ? args() : args)]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/epoch 1/);
    expect(existsSync(checkpoint)).toBe(false);
  });

  it('will not start over an existing run unless told to', async () => {
    const { code, stderr } = await run(tiny('smoke'));
    expect(code).toBe(2);
    expect(stderr).toMatch(/already holds a run; continue it with --resume, or start over with --overwrite/);
  });

  it('resumes after SIGKILL and ends with the model an uninterrupted run makes', async () => {
    const [straight, killed] = await Promise.all([run(tiny('straight', 3)), (async () => {
      const child = start(tiny('killed', 3));
      const state = path.join(work, 'killed', 'checkpoint', 'state.json');
      while (!existsSync(state)) await new Promise((r) => setTimeout(r, 20));
      child.kill('SIGKILL');
      return child.output;
    })()]);
    expect(straight.code).toBe(0);
    expect(killed.code).toBeNull();
    expect(existsSync(path.join(work, 'killed', 'model')), 'no model before the run ends').toBe(false);
    const interrupted = JSON.parse(await readFile(path.join(work, 'killed', 'checkpoint', 'state.json'), 'utf8')) as RunState;
    expect(interrupted.epochsDone).toBeGreaterThanOrEqual(1);
    expect(interrupted.epochsDone).toBeLessThan(3);

    const resumed = await run([...tiny('killed', 3), '--resume']);
    expect(resumed.stderr).toMatch(/Resuming from epoch \d of 3/);
    expect(resumed.code).toBe(0);
    const a = JSON.parse(await readFile(path.join(work, 'straight', 'model', 'metrics.json'), 'utf8')) as Metrics;
    const b = JSON.parse(await readFile(path.join(work, 'killed', 'model', 'metrics.json'), 'utf8')) as Metrics;
    expect(b.history.map((m) => m.epoch)).toEqual([1, 2, 3]);
    for (let i = 0; i < 3; i++) {
      expect(b.history[i].validationLoss).toBeCloseTo(a.history[i].validationLoss, 5);
      expect(b.history[i].trainLoss).toBeCloseTo(a.history[i].trainLoss, 5);
    }
    expect(b.test.loss).toBeCloseTo(a.test.loss, 5);
  });

  it('may change the share of full-length sums on resume, and records it per epoch', async () => {
    const first = await run([...tiny('curriculum', 1), '--fresh-data']);
    expect(first.code).toBe(0);
    const resumed = await run([...tiny('curriculum', 2), '--resume', '--full-length-share', '0.5']);
    expect(resumed.code).toBe(0);
    const again = await run([...tiny('curriculum', 3), '--resume', '--full-length-operands', '1']);
    expect(again.code).toBe(0);
    const out = path.join(work, 'curriculum', 'model');
    const metrics = JSON.parse(await readFile(path.join(out, 'metrics.json'), 'utf8')) as Metrics;
    expect(metrics.history.map((m) => [m.fullLengthShare, m.fullLengthOperands])).toEqual([[0, 2], [0.5, 2], [0.5, 1]]);
    expect(metrics.config).toMatchObject({ fullLengthShare: 0.5, fullLengthOperands: 1 });
    const card = await readFile(path.join(out, 'MODEL_CARD.md'), 'utf8');
    expect(card).toContain('| Learning Rate | Full-length Share |');
    expect(card).toMatch(/^\| 1 \|.*\| 0 \|$/m);
    expect(card).toMatch(/^\| 2 \|.*\| 0\.5 \(both\) \|$/m);
    expect(card).toMatch(/^\| 3 \|.*\| 0\.5 \(one\) \|$/m);
  });

  it('keeps the previous model until a run completes', async () => {
    const out = path.join(work, 'keep', 'model');
    const first = await run(tiny('keep'));
    expect(first.code).toBe(0);
    const before = await readFile(path.join(out, 'weights.bin'));
    await writeFile(path.join(work, 'marker'), '');
    const child = start([...tiny('keep', 3), '--overwrite']);
    const state = path.join(work, 'keep', 'checkpoint', 'state.json');
    const initial = await readFile(state, 'utf8');
    while ((await readFile(state, 'utf8').catch(() => initial)) === initial) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    await child.output;
    expect(await readFile(path.join(out, 'weights.bin'))).toEqual(before);
  });
});
