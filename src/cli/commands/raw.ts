import { pageParameter, rawPageText } from '../../core/history/rawPage';
import { UsageError, type CliCommand } from '../runner';
import { historyOption, historyPath, openStore } from './historyOptions';

function integer(value: string | boolean | undefined, name: string, fallback: number): number {
  const n = pageParameter(typeof value === 'string' ? value : value === undefined ? undefined : '', fallback);
  if (n === undefined) throw new UsageError(`--${name} must be an integer`);
  return n;
}

export const rawCommand: CliCommand = {
  name: 'raw',
  usage: 'raw --history FILE [--limit N] [--offset M]   ({"total", "limit", "offset", "records"}: newest first, as /stats/raw)',
  options: { ...historyOption, limit: { type: 'string' }, offset: { type: 'string' } },
  async run(values, _positionals, io) {
    const limit = integer(values.limit, 'limit', 50);
    const offset = integer(values.offset, 'offset', 0);
    io.stdout.write(`${await rawPageText(openStore(historyPath(values, io.env)), limit, offset)}\n`);
    return 0;
  },
};
