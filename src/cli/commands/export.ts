import { UsageError, type CliCommand } from '../runner';
import { exportHistory, exportHistoryToFile } from '../../core/history/transfer';
import { historyOption, historyPath, openStore } from './historyOptions';

export const exportCommand: CliCommand = {
  name: 'export',
  usage: 'export --history FILE [--format jsonl|csv] [--with-text] [--out FILE]   (no prompt or answer text unless --with-text)',
  options: { ...historyOption, format: { type: 'string' }, 'with-text': { type: 'boolean' }, out: { type: 'string' } },
  async run(values, _positionals, io) {
    const format = values.format ?? 'jsonl';
    if (format !== 'jsonl' && format !== 'csv') throw new UsageError('--format must be jsonl or csv');
    const store = openStore(historyPath(values, io.env));
    const options = { format, includeText: values['with-text'] === true } as const;
    if (typeof values.out !== 'string') {
      await exportHistory(store, io.stdout, options);
      return 0;
    }
    const count = await exportHistoryToFile(store, values.out, options);
    io.stderr.write(`exported ${count} records to ${values.out}\n`);
    return 0;
  },
};
