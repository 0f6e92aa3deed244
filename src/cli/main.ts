// The CLI: the extension's core, for scripting and evaluation. Each subcommand lives in its own module.
import { runCli } from './runner';
import { tokenizeCommand } from './commands/tokenize';
import { classifyCommand } from './commands/classify';
import { benchCommand } from './commands/bench';

void runCli(process.argv.slice(2), [tokenizeCommand, classifyCommand, benchCommand]);
