/**
 * `npm run eval`: scores a saved model on the held-out test set and prints per-character accuracy,
 * exact match, the breakdowns by operand lengths and by carries, and some wrong answers. These are
 * the figures the model card and `GET /model` quote.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { defaultTestSize, maxSetSize, testSet } from './data';
import type { Bucket, TestReport } from '../src/report';
import { evaluate } from './evaluate';
import { loadModel, readJson } from './files';
import { useWasmBackend } from './backend';
import type { Metrics } from './train';
import { DEFAULT_OUT } from './cli';

const HELP = `Usage: npm run eval -- [options]

Evaluates a trained model on the held-out test set (sums never used in training or validation).

Options:
  --model DIR      directory with model.json, weights.bin and metrics.json (default ${DEFAULT_OUT})
  --test-size N    number of held-out sums (default: the size the model was evaluated on when
                   trained, 20000 for 5 digits)
  --mistakes N     wrong answers to show (default 10)
  --json           print the full report as JSON instead of text
  -h, --help       show this help
`;

const pct = (x: number) => `${(100 * x).toFixed(2)}%`.padStart(8);

function table(title: string, buckets: Record<string, Bucket>): string {
  const lines = Object.entries(buckets).map(
    ([key, b]) => `  ${key.padEnd(10)} ${String(b.count).padStart(7)} ${pct(b.accuracy)} ${pct(b.exactMatch)}`,
  );
  return [`  ${title.padEnd(10)} ${'sums'.padStart(7)} ${'per char'.padStart(8)} ${'exact'.padStart(8)}`, ...lines].join('\n');
}

export function formatEvaluation(e: TestReport, digits: number): string {
  const mistakes = e.mistakes.map(
    (m) => `  ${m.query.padStart(2 * digits + 1)} = ${m.expected.padEnd(digits + 1)} model: ${(m.answer || '(empty)').padEnd(digits + 1)} (confidence ${m.confidence.toFixed(3)})`,
  );
  return [
    `Held-out test set: ${e.count} sums of up to ${digits} digits`,
    `  exact match      ${pct(e.exactMatch)}  (${e.count - e.mistakeCount} right, ${e.mistakeCount} wrong)`,
    `  per character    ${pct(e.accuracy)}`,
    `  loss             ${e.loss.toFixed(4)}`,
    '',
    'By operand lengths (longer+shorter):',
    table('lengths', e.byLengths),
    '',
    'By number of carries:',
    table('carries', e.byCarries),
    ...(mistakes.length ? ['', `Some wrong answers (${mistakes.length} of ${e.mistakeCount}):`, ...mistakes] : []),
    '',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        model: { type: 'string' },
        'test-size': { type: 'string' },
        mistakes: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    process.stderr.write(`eval: ${(error as Error).message}\nRun with --help for the options.\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const dir = values.model ?? DEFAULT_OUT;
  let metrics: Metrics;
  try {
    metrics = await readJson<Metrics>(path.join(dir, 'metrics.json'));
  } catch {
    process.stderr.write(`eval: ${dir} has no readable metrics.json; train a model first (npm run train)\n`);
    return 2;
  }
  const digits = metrics.config.digits;
  const wanted = values['test-size'] ?? String(metrics.config.testSize ?? defaultTestSize(digits));
  const size = Number(wanted);
  if (!/^[0-9]+$/.test(wanted) || size < 1 || size > maxSetSize(digits, true)) {
    process.stderr.write(`eval: --test-size must be a whole number from 1 to ${maxSetSize(digits, true)}\n`);
    return 2;
  }
  const shown = Number(values.mistakes ?? '10');
  if (!Number.isInteger(shown) || shown < 0) {
    process.stderr.write('eval: --mistakes must be a whole number\n');
    return 2;
  }
  await useWasmBackend();
  const model = await loadModel(dir);
  const evaluation = evaluate(model, testSet(digits, size), digits, shown);
  model.dispose();
  process.stdout.write(values.json ? `${JSON.stringify(evaluation, null, 2)}\n` : formatEvaluation(evaluation, digits));
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`eval: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
