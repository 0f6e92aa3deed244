import { DEFAULT_POLICY, tierForClassification } from '../../core/routing/policy';
import { readPromptLines, type CliCommand } from '../runner';
import { classifierOptions, startClassifier } from '../classifierFromArgs';

export const classifyCommand: CliCommand = {
  name: 'classify',
  usage: 'classify --model-dir DIR [--precision fp32|fp16|int8] [--threads N]   (JSONL {"prompt": "..."} on stdin; one result per line)',
  options: { ...classifierOptions },
  async run(values, _positionals, io) {
    // A CLI run has no editor waiting on it: the budget only guards against a hung worker.
    const service = await startClassifier(values, 120_000);
    let failures = 0;
    try {
      for await (const item of readPromptLines(io.stdin)) {
        if (item.prompt === undefined) {
          failures += 1;
          io.stdout.write(`${JSON.stringify({ error: item.error })}\n`);
          continue;
        }
        const outcome = await service.classify(item.prompt);
        if (!outcome.ok) {
          failures += 1;
          io.stdout.write(`${JSON.stringify({ error: outcome.message, reason: outcome.reason })}\n`);
          continue;
        }
        // The tier the default policy gives (thresholds and task rules; no context-window check: there is no call).
        const { result } = outcome;
        const { tier } = tierForClassification(result, DEFAULT_POLICY);
        io.stdout.write(`${JSON.stringify({ ...result, tier, tokens: outcome.tokens, elapsed_ms: round2(outcome.elapsedMs) })}\n`);
      }
    } finally {
      await service.dispose();
    }
    return failures ? 1 : 0;
  },
};

const round2 = (ms: number) => Math.round(ms * 100) / 100;
