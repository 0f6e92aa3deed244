// The CLI: the extension's core, for scripting and evaluation. Each subcommand lives in its own module.
import { runCli } from './runner';
import { tokenizeCommand } from './commands/tokenize';
import { classifyCommand } from './commands/classify';
import { benchCommand } from './commands/bench';
import { quantizeCommand } from './commands/quantize';
import { createAskCommand } from './commands/ask';
import { classifierOptions, startClassifier } from './classifierFromArgs';
import { DEFAULT_POLICY } from '../core/routing/policy';
import { statsCommand } from './commands/stats';
import { rawCommand } from './commands/raw';
import { importCommand } from './commands/import';
import { exportCommand } from './commands/export';
import { createServeCommand } from './commands/serve';
import { calibrateCommand } from './commands/calibrate';
import { evaluateCommand } from './commands/evaluate';

// ask and serve route with the classifier when --model-dir is given; a model that fails to load is a recorded fallback.
const classifierSeams: Parameters<typeof createAskCommand>[0] = {
  classifierOptions,
  startClassifier: async (values, io) => {
    const service = await startClassifier(values, DEFAULT_POLICY.classifierBudgetMs, false);
    if (service.state.kind === 'failed') io.stderr.write(`note: the classifier could not load (${service.state.message}); routing by prompt length\n`);
    return service;
  },
};
const askCommand = createAskCommand(classifierSeams);
const serveCommand = createServeCommand(classifierSeams);

void runCli(process.argv.slice(2), [tokenizeCommand, classifyCommand, benchCommand, quantizeCommand, askCommand, statsCommand, rawCommand, importCommand, exportCommand, serveCommand, calibrateCommand, evaluateCommand]);
