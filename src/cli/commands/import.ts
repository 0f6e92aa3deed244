import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError, type CliCommand } from '../runner';
import { importHistory } from '../../core/history/transfer';
import { historyOption, historyPath, openStore } from './historyOptions';

export const importCommand: CliCommand = {
  name: 'import',
  usage: 'import --from OLD_FILE --history FILE [--privacy full|metadata]   (appends the records the history does not have yet)',
  options: { ...historyOption, from: { type: 'string' }, privacy: { type: 'string' } },
  async run(values, _positionals, io) {
    if (typeof values.from !== 'string' || !values.from) throw new UsageError('--from is required');
    const from = resolve(values.from);
    if (!existsSync(from)) throw new Error(`${from} does not exist`);
    if (values.privacy !== undefined && values.privacy !== 'full' && values.privacy !== 'metadata') throw new UsageError('--privacy must be "full" or "metadata"');
    const target = historyPath(values, io.env);
    if (target === from) throw new UsageError('--from and --history are the same file');
    const store = openStore(target, { privacy: values.privacy === 'metadata' ? 'metadata' : 'full' });
    const report = await importHistory(store, from, {
      onWait: (holder) => io.stderr.write(`waiting for another import into ${target} to finish (pid ${holder.pid} on ${holder.hostname}, since ${holder.acquiredAt})\n`),
    });
    io.stdout.write(`${JSON.stringify({ from, history: target, ...report })}\n`);
    return 0;
  },
};
