import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { UsageError, type CliCommand } from '../runner';
import { exportHistory } from '../../core/history/transfer';
import { historyOption, historyPath, openStore } from './historyOptions';

export const exportCommand: CliCommand = {
  name: 'export',
  usage: 'export --history FILE [--format jsonl|csv] [--with-text] [--out FILE]   (no prompt or answer text unless --with-text)',
  options: { ...historyOption, format: { type: 'string' }, 'with-text': { type: 'boolean' }, out: { type: 'string' } },
  async run(values, _positionals, io) {
    const format = values.format ?? 'jsonl';
    if (format !== 'jsonl' && format !== 'csv') throw new UsageError('--format must be jsonl or csv');
    const store = openStore(historyPath(values, io.env));
    const out = typeof values.out === 'string' ? createWriteStream(values.out) : io.stdout;
    const count = await exportHistory(store, out, { format, includeText: values['with-text'] === true });
    if (typeof values.out === 'string') {
      (out as NodeJS.WritableStream).end();
      await finished(out as NodeJS.WritableStream);
      io.stderr.write(`exported ${count} records to ${values.out}\n`);
    }
    return 0;
  },
};
