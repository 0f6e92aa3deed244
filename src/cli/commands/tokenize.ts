import { loadPromptTokenizer } from '../../core/classifier/tokenizer';
import { readPromptLines, UsageError, type CliCommand } from '../runner';

export const tokenizeCommand: CliCommand = {
  name: 'tokenize',
  usage: 'tokenize --model-dir DIR   (JSONL {"prompt": "..."} on stdin; one {"input_ids": [...]} per line on stdout)',
  options: { 'model-dir': { type: 'string' } },
  async run(values, _positionals, io) {
    const modelDir = values['model-dir'];
    if (typeof modelDir !== 'string') throw new UsageError('--model-dir is required');
    const tokenizer = await loadPromptTokenizer(modelDir);
    let failures = 0;
    for await (const item of readPromptLines(io.stdin)) {
      if (item.prompt === undefined) {
        failures += 1;
        io.stdout.write(`${JSON.stringify({ error: item.error })}\n`);
        continue;
      }
      io.stdout.write(`${JSON.stringify({ input_ids: await tokenizer.encode(item.prompt) })}\n`);
    }
    return failures ? 1 : 0;
  },
};
