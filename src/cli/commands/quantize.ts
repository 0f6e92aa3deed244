import { join } from 'node:path';
import { WEIGHT_FORMAT_LABELS, WEIGHT_FORMATS, type WeightFormat } from '../../core/classifier/quantize/quantizer';
import { quantizeModelDir, type QuantizeRun } from '../../node/quantizer';
import { makeCheckedInt8, type MakeInt8Progress } from '../../node/selfCheck';
import type { SelfCheckReport } from '../../core/classifier/selfCheck';
import { UsageError, type CliCommand } from '../runner';

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

function weightFormats(value: unknown): readonly WeightFormat[] {
  if (value === undefined) return WEIGHT_FORMATS;
  if (typeof value === 'string' && (WEIGHT_FORMATS as readonly string[]).includes(value)) return [value as WeightFormat];
  throw new UsageError(`--weight-format takes one of ${WEIGHT_FORMATS.join(', ')}; without it each is tried in that order until one passes the self-check`);
}

export const quantizeCommand: CliCommand = {
  name: 'quantize',
  usage: `quantize --model-dir DIR [--json] [--skip-check] [--weight-format ${WEIGHT_FORMATS.join('|')}]   (writes DIR/onnx/model_quantized.onnx and its fp32-vs-int8 self-check)`,
  options: { 'model-dir': { type: 'string' }, json: { type: 'boolean' }, 'skip-check': { type: 'boolean' }, 'weight-format': { type: 'string' } },
  async run(values, _positionals, io) {
    const modelDir = values['model-dir'];
    if (typeof modelDir !== 'string') throw new UsageError('--model-dir is required');
    const formats = weightFormats(values['weight-format']);
    const started = performance.now();
    const say = (line: string) => {
      if (!values.json) io.stderr.write(`${line}\n`);
    };
    let lastStep = '';
    const onProgress = (progress: MakeInt8Progress) => {
      const step = progress.phase === 'fp32' ? 'self-check: fp32 answers' : progress.phase === 'quantize' ? `quantizing (${WEIGHT_FORMAT_LABELS[progress.weightFormat]})` : `self-check: ${WEIGHT_FORMAT_LABELS[progress.weightFormat]}`;
      const line = `${step}: ${Math.floor((progress.done / progress.total) * 10) * 10}%`;
      if (line !== lastStep) say(line);
      lastStep = line;
    };
    const quantizeWorkerPath = join(__dirname, 'quantizeWorker.js');
    let run: QuantizeRun;
    let check: SelfCheckReport | null = null;
    if (values['skip-check']) {
      // Benchmarks: the first format, no verdict written, so precision "auto" keeps fp32.
      run = await quantizeModelDir(modelDir, { workerPath: quantizeWorkerPath, weightFormat: formats[0], onProgress: ({ done, total }) => onProgress({ phase: 'quantize', weightFormat: formats[0], done, total }) });
    } else {
      const made = await makeCheckedInt8(modelDir, {
        weightFormats: formats,
        quantizeWorkerPath,
        workerPath: join(__dirname, 'classifierWorker.js'),
        onProgress,
        onRejected: (rejected, next) => say(`${WEIGHT_FORMAT_LABELS[rejected.weightFormat]} failed the self-check (${rejected.failures.join('; ')}); trying ${WEIGHT_FORMAT_LABELS[next]}`),
      });
      run = made.run;
      check = made.report;
    }
    const seconds = round((performance.now() - started) / 1000, 2);
    const report = {
      output: run.output,
      seconds,
      weight_format: run.summary.weightFormat,
      input_bytes: run.summary.inputBytes,
      output_bytes: run.summary.outputBytes,
      size_ratio: round(run.summary.outputBytes / run.summary.inputBytes, 4),
      peak_rss_mb: Math.round(run.peakRss / 2 ** 20),
      nodes: run.summary.nodes,
      skipped: run.summary.skipped,
      check,
    };
    if (values.json) io.stdout.write(`${JSON.stringify(report)}\n`);
    else {
      io.stdout.write(`${report.output}: ${(report.output_bytes / 2 ** 20).toFixed(1)} MiB (${WEIGHT_FORMAT_LABELS[report.weight_format]}), ${(report.size_ratio * 100).toFixed(1)}% of fp32, ${seconds} s, peak RSS ${report.peak_rss_mb} MB\n`);
      if (!check) io.stdout.write('self-check skipped: precision "auto" stays fp32\n');
      else {
        io.stdout.write(`self-check on ${check.prompts} prompts: ${check.passed ? 'passed: precision "auto" uses int8' : `FAILED: precision "auto" stays fp32 (${check.failures.join('; ')})`}\n`);
        io.stdout.write(`  task type agreement ${(check.taskTypeAgreement * 100).toFixed(1)}%, tier agreement ${(check.tierAgreement * 100).toFixed(1)}%, mean |Δ complexity| ${check.scores.prompt_complexity_score.mean}\n`);
      }
    }
    return 0;
  },
};
