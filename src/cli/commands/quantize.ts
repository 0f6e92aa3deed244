import { join } from 'node:path';
import { quantizeModelDir } from '../../node/quantizer';
import { runSelfCheck } from '../../node/selfCheck';
import { UsageError, type CliCommand } from '../runner';

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

export const quantizeCommand: CliCommand = {
  name: 'quantize',
  usage: 'quantize --model-dir DIR [--json] [--skip-check]   (writes DIR/onnx/model_quantized.onnx, then the fp32-vs-int8 self-check)',
  options: { 'model-dir': { type: 'string' }, json: { type: 'boolean' }, 'skip-check': { type: 'boolean' } },
  async run(values, _positionals, io) {
    const modelDir = values['model-dir'];
    if (typeof modelDir !== 'string') throw new UsageError('--model-dir is required');
    const started = performance.now();
    let lastPercent = -1;
    const run = await quantizeModelDir(modelDir, {
      workerPath: join(__dirname, 'quantizeWorker.js'),
      onProgress: ({ done, total }) => {
        const percent = Math.floor((done / total) * 10) * 10;
        if (values.json || percent === lastPercent) return;
        lastPercent = percent;
        io.stderr.write(`quantizing: ${percent}%\n`);
      },
    });
    const seconds = round((performance.now() - started) / 1000, 2);
    if (!values.json) io.stderr.write(`quantized in ${seconds} s: ${run.output}; self-check (fp32 against int8)...\n`);
    // --skip-check (benchmarks): no verdict is written, so precision "auto" keeps fp32.
    const check = values['skip-check'] ? null : await runSelfCheck(modelDir, { workerPath: join(__dirname, 'classifierWorker.js') });
    const report = {
      output: run.output,
      seconds,
      input_bytes: run.summary.inputBytes,
      output_bytes: run.summary.outputBytes,
      size_ratio: round(run.summary.outputBytes / run.summary.inputBytes, 4),
      peak_rss_mb: Math.round(run.peakRss / 2 ** 20),
      nodes: run.summary.nodes,
      skipped: run.summary.skipped,
      check,
    };
    if (values.json) io.stdout.write(`${JSON.stringify(report)}\n`);
    else if (!check) io.stdout.write(`${report.output}: ${(report.output_bytes / 2 ** 20).toFixed(1)} MiB, self-check skipped\n`);
    else {
      io.stdout.write(`${report.output}: ${(report.output_bytes / 2 ** 20).toFixed(1)} MiB, ${(report.size_ratio * 100).toFixed(1)}% of fp32, ${seconds} s, peak RSS ${report.peak_rss_mb} MB\n`);
      io.stdout.write(`self-check on ${check.prompts} prompts: ${check.passed ? 'passed: precision "auto" uses int8' : `FAILED: precision "auto" stays fp32 (${check.failures.join('; ')})`}\n`);
      io.stdout.write(`  task type agreement ${(check.taskTypeAgreement * 100).toFixed(1)}%, tier agreement ${(check.tierAgreement * 100).toFixed(1)}%, mean |Δ complexity| ${check.scores.prompt_complexity_score.mean}\n`);
    }
    return 0;
  },
};
