// The CLI: the extension's core, for scripting and evaluation. Each subcommand lives in its own module.
import { runCli } from './runner';
import { tokenizeCommand } from './commands/tokenize';
import { classifyCommand } from './commands/classify';
import { benchCommand } from './commands/bench';
import { askCommand } from './commands/ask';
import { statsCommand } from './commands/stats';
import { rawCommand } from './commands/raw';
import { importCommand } from './commands/import';
import { exportCommand } from './commands/export';

void runCli(process.argv.slice(2), [tokenizeCommand, classifyCommand, benchCommand, askCommand, statsCommand, rawCommand, importCommand, exportCommand]);
