import { UsageError, type CliCommand } from '../runner';
import { historyOption, historyPath, openStore } from './historyOptions';

function integer(value: string | boolean | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^-?\d+$/.test(value.trim())) throw new UsageError(`--${name} must be an integer`);
  return Number(value);
}

export const rawCommand: CliCommand = {
  name: 'raw',
  usage: 'raw --history FILE [--limit N] [--offset M]   ({"total", "limit", "offset", "records"}: newest first, as /stats/raw)',
  options: { ...historyOption, limit: { type: 'string' }, offset: { type: 'string' } },
  async run(values, _positionals, io) {
    const limit = integer(values.limit, 'limit', 50);
    const offset = integer(values.offset, 'offset', 0);
    const page = await openStore(historyPath(values, io.env)).page(limit, offset);
    // Each record exactly as stored: its JSON text is spliced in, not re-serialized.
    io.stdout.write(`{"total": ${page.total}, "limit": ${page.limit}, "offset": ${page.offset}, "records": [${page.lines.join(', ')}]}\n`);
    return 0;
  },
};
