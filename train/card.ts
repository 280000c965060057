/**
 * The model card written beside the exported model: a Markdown page generated from the run's
 * metrics, with two SVG figures drawn here (no plotting dependency): the training curves and the
 * model's layers with their output shapes.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import { adderShape } from '../src/architecture';
import type { Metrics, RunState } from './train';

export const CARD_FILE = 'MODEL_CARD.md';
export const CURVES_FILE = 'training.svg';
export const LAYERS_FILE = 'model.svg';

const percent = (x: number, digits = 2) => `${(100 * x).toFixed(digits)}%`;
const fixed = (x: number) => x.toFixed(4);

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (ch) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[ch] ?? ch);
}

function recipe(state: RunState): string {
  const c = state.config;
  const distinct = <T>(values: T[]) => [...new Set(values)].join(', ');
  const skew = skewed(state)
    ? ` (a share of them, ${distinct(state.history.map(shareOf))} per epoch in the table, with both or one of the operands of all ${c.digits} digits as marked; the rest drawn as the reference draws them)`
    : '';
  const data = c.freshData
    ? `${c.trainingSize - Math.round(c.trainingSize * c.validationSplit)} fresh training sums every epoch${skew}, ${Math.round(c.trainingSize * c.validationSplit)} fixed validation sums`
    : `${c.trainingSize} distinct sums, the last ${percent(c.validationSplit, 0)} for validation`;
  const rates = distinct(state.history.map((m) => m.learningRate.toPrecision(2)));
  return `Adam (beta1 0.9, beta2 0.999, epsilon 1e-7), learning rate ${rates} (per epoch in the table), batch ${distinct(state.history.map((m) => m.batchSize))}, ${state.epochsDone} epochs, ${data}, seed ${c.seed}, training engine ${distinct(state.history.map((m) => `\`${m.engine}\``))}`;
}

/** An epoch's share of full-length sums, and how many of their operands were full-length. */
const shareOf = (m: RunState['history'][number]) => {
  const share = m.fullLengthShare ?? 0;
  return share > 0 ? `${share} (${(m.fullLengthOperands ?? 2) === 2 ? 'both' : 'one'})` : '0';
};
/** Whether any epoch drew more full-length sums than the reference. */
const skewed = (state: RunState) => state.history.some((m) => (m.fullLengthShare ?? 0) > 0);

function historyTable(state: RunState): string {
  const share = skewed(state);
  const rows = state.history.map(
    (m) =>
      `| ${m.epoch} | ${fixed(m.trainLoss)} | ${fixed(m.trainAccuracy)} | ${fixed(m.validationLoss)} | ${fixed(m.validationAccuracy)} | ${fixed(m.validationExactMatch)} | ${m.learningRate.toPrecision(2)} |${share ? ` ${shareOf(m)} |` : ''}`,
  );
  return [
    `| Epochs | Train Loss | Train Accuracy | Validation Loss | Validation Accuracy | Validation Exact Match | Learning Rate |${share ? ' Full-length Share |' : ''}`,
    `|---:|---:|---:|---:|---:|---:|---:|${share ? '---:|' : ''}`,
    ...rows,
  ].join('\n');
}

function bucketTable(title: string, buckets: Metrics['test']['byLengths']): string {
  const rows = Object.entries(buckets).map(
    ([key, b]) => `| ${key} | ${b.count} | ${percent(b.accuracy)} | ${percent(b.exactMatch)} |`,
  );
  return [`| ${title} | Sums | Per character | Exact match |`, '|---|---:|---:|---:|', ...rows].join('\n');
}

export function modelCard(metrics: Metrics): string {
  const c = metrics.config;
  const shape = adderShape(c.digits);
  const t = metrics.test;
  const totalSeconds = metrics.history.reduce((s, m) => s + m.seconds, 0);
  const comparisons = metrics.comparisons
    .map(
      ({ name, metrics: other }) => `### Run: ${name}

Recipe: ${recipe(other)}. Test set: exact match **${percent(other.test.exactMatch)}**, per character ${percent(other.test.accuracy)}
(${other.test.count} held-out sums, ${other.exported.weights} weights, epoch ${other.exported.epoch}).

${historyTable(other)}
`,
    )
    .join('\n');
  const mistakes = t.mistakes.length
    ? t.mistakes.map((m) => `| ${m.query} | ${m.expected} | ${m.answer} | ${m.confidence.toFixed(3)} |`).join('\n')
    : '';
  return `# Model card: addition LSTM, ${c.digits} digits

A sequence-to-sequence LSTM that adds two non-negative integers of up to ${c.digits} digits, given as
text (\`"535+61"\` -> \`"596"\`). It re-creates the Keras example "Sequence to sequence learning for
performing number addition" in TensorFlow.js.

## Results on the held-out test set

${t.count} sums that no training or validation step ever saw (a fixed 1 in 20 of all pairs is held out).

| Metric | Value |
|---|---:|
| Exact match (whole answer right) | **${percent(t.exactMatch)}** |
| Per-character accuracy (the reference's metric) | ${percent(t.accuracy)} |
| Wrong answers | ${t.mistakeCount} of ${t.count} |

Weights: the ${metrics.exported.weights} checkpoint, epoch ${metrics.exported.epoch} of ${metrics.epochsDone}.
Reproduce these figures with \`npm run eval\`.

${bucketTable('Operand lengths', t.byLengths)}

${bucketTable('Carries', t.byCarries)}
${mistakes ? `\nSome wrong answers:\n\n| Query | Expected | Model | Confidence |\n|---|---:|---:|---:|\n${mistakes}\n` : ''}
## Model

- Input: the query right-padded with spaces to ${shape.inputLength} characters and reversed, one-hot over
  the 12 symbols \`0123456789+ \`.
- Output: ${shape.outputLength} characters (the sum right-padded with spaces), a softmax over the 12 symbols each.
- LSTM(${shape.units}) encoder -> RepeatVector(${shape.outputLength}) -> LSTM(${shape.units}, return sequences) ->
  Dense(12, softmax) per step; sigmoid gates, tanh activations, glorot-uniform kernels, orthogonal
  recurrent kernels, forget-gate bias 1 (the Keras defaults). ${metrics.parameters.toLocaleString('en')} parameters.
- Files: \`model.json\` and \`weights.bin\` in the TensorFlow.js Layers format (\`tf.loadLayersModel\`).

![Model layers](${LAYERS_FILE})

## Training

Recipe: ${recipe(metrics)}. ${(totalSeconds / 3600).toFixed(2)} hours of training in Node on the
tfjs WASM backend (one CPU core).

![Training curves](${CURVES_FILE})

${historyTable(metrics)}
${comparisons ? `\n## Other runs\n\n${comparisons}` : ''}`;
}

/** A line chart of the per-epoch curves: loss on the left, accuracies on the right. */
export function curvesSvg(state: RunState): string {
  const width = 720;
  const height = 300;
  const pad = { left: 48, right: 16, top: 28, bottom: 36 };
  const panel = (width - pad.left - pad.right - 48) / 2;
  const h = height - pad.top - pad.bottom;
  const epochs = state.history.map((m) => m.epoch);
  const maxEpoch = Math.max(1, ...epochs);
  const x = (epoch: number, left: number) => left + (maxEpoch === 1 ? panel / 2 : ((epoch - 1) / (maxEpoch - 1)) * panel);
  const maxLoss = Math.max(1e-6, ...state.history.flatMap((m) => [m.trainLoss, m.validationLoss]));
  const line = (values: number[], left: number, top: number, color: string, dash = '') =>
    `<polyline fill="none" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''} points="${values
      .map((v, i) => `${x(epochs[i], left).toFixed(1)},${(pad.top + h - (v / top) * h).toFixed(1)}`)
      .join(' ')}"/>`;
  const axes = (left: number, title: string, top: number, format: (v: number) => string) => {
    const ticks = [0, 0.25, 0.5, 0.75, 1]
      .map((f) => {
        const y = pad.top + h - f * h;
        return `<line x1="${left}" x2="${left + panel}" y1="${y}" y2="${y}" stroke="#e5e5e5"/><text x="${left - 6}" y="${y + 4}" text-anchor="end">${format(f * top)}</text>`;
      })
      .join('');
    return `<text x="${left + panel / 2}" y="16" text-anchor="middle" font-weight="bold">${escapeXml(title)}</text>${ticks}<text x="${left + panel / 2}" y="${height - 6}" text-anchor="middle">epoch (1-${maxEpoch})</text>`;
  };
  const left1 = pad.left;
  const left2 = pad.left + panel + 48 + pad.left / 2;
  // Bottom right of the accuracy panel, where the curves have long since risen.
  const lx = left2 - pad.left / 2 + 8 + panel - 140;
  const legend = [
    ['#1f77b4', '', 'train'],
    ['#ff7f0e', '', 'validation'],
    ['#2ca02c', '4 3', 'validation exact match'],
  ]
    .map(([color, dash, label], i) => `<line x1="${lx}" x2="${lx + 20}" y1="${pad.top + h - 52 + i * 16}" y2="${pad.top + h - 52 + i * 16}" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/><text x="${lx + 24}" y="${pad.top + h - 48 + i * 16}">${label}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">
<rect width="100%" height="100%" fill="white"/>
${axes(left1, 'Loss', maxLoss, (v) => v.toFixed(2))}
${line(state.history.map((m) => m.trainLoss), left1, maxLoss, '#1f77b4')}
${line(state.history.map((m) => m.validationLoss), left1, maxLoss, '#ff7f0e')}
${axes(left2 - pad.left / 2 + 8, 'Accuracy', 1, (v) => v.toFixed(2))}
${line(state.history.map((m) => m.trainAccuracy), left2 - pad.left / 2 + 8, 1, '#1f77b4')}
${line(state.history.map((m) => m.validationAccuracy), left2 - pad.left / 2 + 8, 1, '#ff7f0e')}
${line(state.history.map((m) => m.validationExactMatch), left2 - pad.left / 2 + 8, 1, '#2ca02c', '4 3')}
${legend}
</svg>
`;
}

/** The layers top to bottom, each with its class, name and output shape, like Keras's plot_model. */
export function layersSvg(model: tfl.LayersModel): string {
  const shapeText = (shape: unknown) => JSON.stringify(shape).replace(/null/g, 'None').replace(/,/g, ', ');
  const boxes = [
    { title: 'input', detail: shapeText(model.inputs[0].shape) },
    ...model.layers.map((layer) => ({
      title: `${layer.name}: ${layer.getClassName()}`,
      detail: `${shapeText(layer.outputShape)}, ${layer.countParams().toLocaleString('en')} parameters`,
    })),
  ];
  const width = 380;
  const boxH = 44;
  const gap = 24;
  const height = boxes.length * (boxH + gap) + gap;
  const body = boxes
    .map((box, i) => {
      const y = gap + i * (boxH + gap);
      const arrow = i === 0 ? '' : `<line x1="${width / 2}" x2="${width / 2}" y1="${y - gap}" y2="${y - 4}" stroke="#333" marker-end="url(#arrow)"/>`;
      return `${arrow}<rect x="20" y="${y}" width="${width - 40}" height="${boxH}" rx="6" fill="#f3f6fa" stroke="#333"/><text x="${width / 2}" y="${y + 18}" text-anchor="middle" font-weight="bold">${escapeXml(box.title)}</text><text x="${width / 2}" y="${y + 34}" text-anchor="middle">${escapeXml(box.detail)}</text>`;
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>
<rect width="100%" height="100%" fill="white"/>
${body}
</svg>
`;
}

export async function writeModelCard(dir: string, model: tfl.LayersModel, metrics: Metrics): Promise<void> {
  await writeFile(path.join(dir, CARD_FILE), modelCard(metrics));
  await writeFile(path.join(dir, CURVES_FILE), curvesSvg(metrics));
  await writeFile(path.join(dir, LAYERS_FILE), layersSvg(model));
}
