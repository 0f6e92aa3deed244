import type { ClassifyFn } from '../../core/classifier/result';
import { ask } from '../../core/ask';
import { describeThresholdSource } from '../../core/routing/dial';
import { UsageError, type CliCommand, type CliIo } from '../runner';
import { historyPath, openStore } from './historyOptions';
import { apiKeysFromFlags, configFromFlagsAndHistory, MISSING_KEY_HINT, readAll, routerFlagOptions } from './routerFlags';
import { cliBudget } from './budgetOptions';
import { cliTelemetry } from '../telemetry';

/** A running classifier the ask command can route with; disposed when the command ends. */
export interface CliClassifier {
  classify: ClassifyFn;
  dispose(): Promise<void>;
}

export interface AskCommandSeams {
  /**
   * THE CLASSIFIER SEAM: starts the classifier for `--model-dir` (and its other flags). Without it,
   * or when it returns undefined, routing falls back to token length with reason "model_missing".
   */
  startClassifier?: (values: Record<string, string | boolean | undefined>, io: CliIo) => Promise<CliClassifier | undefined>;
  /** Extra options the classifier needs (e.g. --precision, --threads). */
  classifierOptions?: CliCommand['options'];
}

const USAGE =
  'ask [--model-dir D] [--model M] [--base-url U] [--api-key-file FILE|-] [--history F] [--no-stream] [--region international|china|us|hongkong] [--thinking auto|on|off|model-default] [--cost-quality 0-10] [--temperature T] [--max-tokens N] [--privacy full|metadata] [--no-escalate] [--allow-insecure-http] [--daily-budget USD] [--monthly-budget USD] [--verbose] PROMPT\n' +
  '      The API key: set DASHSCOPE_API_KEY (the safe way), or --api-key-file FILE (- reads it from stdin).\n' +
  '      --api-key K also works, but the key is then visible to other users in `ps` and kept in the shell history.\n' +
  '      --daily-budget / --monthly-budget USD: refuse (exit 1, nothing sent) a call whose estimated cost would take the spend recorded in the history past the budget.';

/** Ctrl-C, a closed terminal and `kill` all cancel the call the same way, and exit 128 + the signal's number. */
const CANCEL_SIGNALS = { SIGINT: 130, SIGHUP: 129, SIGTERM: 143 } as const;
type CancelSignal = keyof typeof CANCEL_SIGNALS;

function numberOption(value: string | boolean | undefined, name: string, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) throw new UsageError(`--${name} must be ${integer ? 'an integer' : 'a number'}`);
  return n;
}

export function createAskCommand(seams: AskCommandSeams = {}): CliCommand {
  return {
    name: 'ask',
    usage: USAGE,
    options: {
      'model-dir': { type: 'string' },
      model: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      ...routerFlagOptions,
      temperature: { type: 'string' },
      'max-tokens': { type: 'string' },
      'daily-budget': { type: 'string' },
      'monthly-budget': { type: 'string' },
      verbose: { type: 'boolean' },
      ...seams.classifierOptions,
    },
    async run(values, positionals, io) {
      if (values.help) {
        io.stdout.write(`Usage: qwen-router ${USAGE}\n`);
        return 0;
      }
      let prompt = positionals.join(' ');
      const keyFile = typeof values['api-key-file'] === 'string' ? values['api-key-file'] : undefined;
      if (keyFile === '-' && prompt === '-') throw new UsageError('the PROMPT and --api-key-file cannot both be read from stdin');
      const getApiKey = await apiKeysFromFlags(values, io);
      if (prompt === '-') prompt = await readAll(io.stdin);
      if (!prompt.trim()) throw new UsageError('a PROMPT is required (use - to read it from stdin)');
      const config = await configFromFlagsAndHistory(values, io.env);
      const temperature = numberOption(values.temperature, 'temperature', false);
      const maxTokens = numberOption(values['max-tokens'], 'max-tokens', true);
      const store = openStore(historyPath(values, io.env), { privacy: config.privacy });
      const budget = cliBudget(values, config, store, io);
      const telemetry = cliTelemetry(io, { allowInsecureHttp: values['allow-insecure-http'] === true });

      let classifier: CliClassifier | undefined;
      if (typeof values['model-dir'] === 'string') {
        if (seams.startClassifier) classifier = await seams.startClassifier(values, io);
        else io.stderr.write('note: no classifier is available; routing by prompt length\n');
      }

      const controller = new AbortController();
      let cancelledBy: CancelSignal | undefined;
      const onSignal = (signal: CancelSignal) => {
        cancelledBy ??= signal;
        controller.abort();
      };
      // Once: a second signal of the same kind ends the process the default way, should the call hang.
      for (const signal of Object.keys(CANCEL_SIGNALS) as CancelSignal[]) process.once(signal, onSignal);
      let answered = '';
      let thinkingShown = false;
      try {
        const result = await ask(
          { messages: [{ role: 'user', content: prompt }], model: typeof values.model === 'string' ? values.model : undefined, temperature, maxTokens, signal: controller.signal, surface: 'cli' },
          {
            config,
            classify: classifier?.classify,
            store,
            getApiKey,
            missingKeyHint: MISSING_KEY_HINT,
            budget,
          },
          {
            onRouting: ({ decision, target }) => {
              io.stderr.write(`routed: ${decision.summary} -> ${target.model} at ${target.baseUrl}\n`);
              if (values.verbose && decision.method === 'nvidia_classifier') io.stderr.write(`thresholds: simple < ${config.policy.complexity.simple}, medium < ${config.policy.complexity.medium}, from ${describeThresholdSource(config.thresholdSource)}\n`);
              if (values.verbose && decision.thinking.reason) io.stderr.write(`thinking: ${decision.thinking.enabled === undefined ? 'not sent' : decision.thinking.enabled ? `on${decision.thinking.budget ? `, budget ${decision.thinking.budget} tokens` : ''}` : 'off'} (${decision.thinking.reason})\n`);
            },
            onRetry: (info) => {
              if (values.verbose) io.stderr.write(`${info.escalated ? 'escalating to' : 'retrying'} ${info.model}, attempt ${info.attempt}${info.waitedMs ? ` after ${Math.round(info.waitedMs)} ms` : ''} (${info.reason.kind})\n`);
            },
            onThinking: (delta) => {
              if (!thinkingShown) io.stderr.write('thinking: ');
              thinkingShown = true;
              io.stderr.write(delta);
            },
            onAnswer: (delta) => {
              if (thinkingShown && !answered) io.stderr.write('\n');
              answered += delta;
              io.stdout.write(delta);
            },
          },
        );
        telemetry?.recorded(result.record, config.privacy);
        if (answered && !answered.endsWith('\n')) io.stdout.write('\n');
        if (result.historyError) io.stderr.write(`warning: ${result.historyError}\n`);
        if (result.status === 'ok') return 0;
        if (result.status === 'cancelled') {
          io.stderr.write(`qwen-router ask: cancelled${cancelledBy ? ` by ${cancelledBy}` : ''}${answered ? ' (partial answer kept in the history)' : ''}\n`);
          return CANCEL_SIGNALS[cancelledBy ?? 'SIGINT'];
        }
        io.stderr.write(`qwen-router ask: ${result.error?.message ?? 'the call failed'}\n`);
        return 1;
      } finally {
        for (const signal of Object.keys(CANCEL_SIGNALS)) process.off(signal, onSignal);
        await classifier?.dispose();
        await telemetry?.shutdown();
      }
    },
  };
}
