// A child process that appends records through HistoryStore, for the crash and concurrency tests.
//   node historyWriter.js FILE count N WRITER_ID   append N records of varied size, then exit
//   node historyWriter.js FILE forever BYTES       append records of about BYTES each until killed
import { HistoryStore } from '../../src/core/history/store';

async function main(): Promise<void> {
  const [path, mode, arg, writer = 'w'] = process.argv.slice(2);
  const store = new HistoryStore(path);
  const record = (seq: number, padding: number) => ({
    timestamp: Date.now() / 1000,
    writer,
    seq,
    request: { messages: [{ role: 'user', content: 'x'.repeat(padding) }], temperature: null, max_tokens: null, user_specified_model: null },
    routing: { method: 'user_specified', query: 'q' },
    llm: { model: 'qwen-flash', provider: 'dashscope', response_id: `r-${writer}-${seq}`, response_content: '答'.repeat(padding % 997), input_tokens: 1, output_tokens: 1, total_tokens: 2, cost_usd: 0.000001, llm_latency_ms: 1 },
  });
  if (mode === 'count') {
    const n = Number(arg);
    for (let seq = 0; seq < n; seq++) await store.append(record(seq, ((seq * 7919) % 50) * 4096 + 100));
    return;
  }
  process.stdout.write('ready\n');
  for (let seq = 0; ; seq++) await store.append(record(seq, Number(arg)));
}

void main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
