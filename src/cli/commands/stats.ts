import type { CliCommand } from '../runner';
import { historyOption, historyPath, openStore } from './historyOptions';

export const statsCommand: CliCommand = {
  name: 'stats',
  usage: 'stats --history FILE [--utc]   (one JSON object: the old service\'s /stats fields, then ours)',
  options: { ...historyOption, utc: { type: 'boolean' } },
  async run(values, _positionals, io) {
    const store = openStore(historyPath(values, io.env), { dayKey: values.utc ? 'utc' : 'local' });
    io.stdout.write(`${JSON.stringify(await store.stats(), null, 2)}\n`);
    return 0;
  },
};
