/**
 * Training progress on the terminal: a live bar per epoch when stderr is a terminal, a line every
 * tenth of an epoch otherwise (for logs of runs in the background), and one summary line per epoch.
 */
import type { EpochMetrics, ProgressReporter } from './train';

const BAR_WIDTH = 30;

function duration(seconds: number): string {
  const s = Math.round(seconds);
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

export function consoleProgress(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  const live = stream.isTTY === true;
  let epoch = 0;
  let epochs = 0;
  let batches = 0;
  let started = 0;
  let lastTenth = 0;
  return {
    epochStart(e, total, n) {
      epoch = e;
      epochs = total;
      batches = n;
      started = performance.now();
      lastTenth = 0;
    },
    batchEnd(batch, loss, accuracy) {
      const fraction = batch / batches;
      const elapsed = (performance.now() - started) / 1000;
      const eta = fraction > 0 ? elapsed / fraction - elapsed : 0;
      const status = `epoch ${epoch}/${epochs} ${batch}/${batches} loss ${loss.toFixed(4)} acc ${accuracy.toFixed(4)} ${duration(elapsed)} elapsed, ${duration(eta)} left`;
      if (live) {
        const filled = Math.round(fraction * BAR_WIDTH);
        stream.write(`\r[${'='.repeat(filled)}${' '.repeat(BAR_WIDTH - filled)}] ${status}\x1b[K`);
      } else if (Math.floor(fraction * 10) > lastTenth && batch < batches) {
        lastTenth = Math.floor(fraction * 10);
        stream.write(`  ${status}\n`);
      }
    },
    epochEnd(m: EpochMetrics, total, best) {
      if (live) stream.write('\r\x1b[K');
      stream.write(
        `epoch ${m.epoch}/${total}: loss ${m.trainLoss.toFixed(4)} acc ${m.trainAccuracy.toFixed(4)} | ` +
          `val_loss ${m.validationLoss.toFixed(4)} val_acc ${m.validationAccuracy.toFixed(4)} ` +
          `val_exact ${m.validationExactMatch.toFixed(4)}${best ? ' (best)' : ''} | lr ${m.learningRate.toPrecision(3)} | ` +
          `${m.samples} samples in ${duration(m.seconds)} (${Math.round(m.samples / m.seconds)}/s)\n`,
      );
    },
    message(text) {
      stream.write(`${text}\n`);
    },
  };
}

/** A reporter that prints nothing (for tests and library use). */
export const silentProgress: ProgressReporter = {
  epochStart() {},
  batchEnd() {},
  epochEnd() {},
  message() {},
};
