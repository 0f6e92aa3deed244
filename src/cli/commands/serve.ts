import { version } from '../../../package.json';
import { EndpointStartError, generateEndpointToken, isLoopbackHost, startRouterServer, DEFAULT_ENDPOINT_HOST, DEFAULT_ENDPOINT_PORT } from '../../node/routerServer';
import { UsageError, type CliCommand } from '../runner';
import type { AskCommandSeams, CliClassifier } from './ask';
import { historyPath, openStore } from './historyOptions';
import { cliTelemetry } from '../telemetry';
import { apiKeysFromFlags, configFromFlagsAndHistory, MISSING_KEY_HINT, routerFlagOptions } from './routerFlags';

const USAGE =
  'serve [--host 127.0.0.1] [--port 8000] [--token T] [--allow-origin ORIGIN]... [--no-auth] [--model-dir D] [--base-url U] [--api-key-file FILE|-] [--history F] [--region R] [--thinking auto|on|off|model-default] [--cost-quality 0-10] [--privacy full|metadata] [--no-escalate] [--no-stream] [--allow-insecure-http]\n' +
  '      The old service\'s HTTP API and OpenAI\'s chat completions on this machine (docs/endpoint.md).\n' +
  '      Token: QWEN_ROUTER_SERVE_TOKEN or --token; without one a token is generated and printed once.\n' +
  '      --no-auth (127.0.0.1 only) leaves it open to every local program. Stop with Ctrl-C or SIGTERM.';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** `serve`: the local endpoint over the same core as `ask`, one classifier and one history for every request. */
export function createServeCommand(seams: AskCommandSeams = {}): CliCommand {
  return {
    name: 'serve',
    usage: USAGE,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      token: { type: 'string' },
      'allow-origin': { type: 'string', multiple: true },
      'no-auth': { type: 'boolean' },
      'model-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      ...routerFlagOptions,
      ...seams.classifierOptions,
    },
    async run(values, _positionals, io) {
      if (values.help) {
        io.stdout.write(`Usage: qwen-router ${USAGE}\n`);
        return 0;
      }
      const host = typeof values.host === 'string' && values.host.trim() ? values.host.trim() : DEFAULT_ENDPOINT_HOST;
      const port = values.port === undefined ? DEFAULT_ENDPOINT_PORT : Number(values.port);
      if (typeof values.port === 'string' && (!/^\d+$/.test(values.port.trim()) || port > 65535)) throw new UsageError('--port must be a whole number from 0 to 65535');
      const given = (typeof values.token === 'string' && values.token) || io.env.QWEN_ROUTER_SERVE_TOKEN || undefined;
      const loopback = isLoopbackHost(host);
      if (values['no-auth'] && given) throw new UsageError('--no-auth and a token (--token or QWEN_ROUTER_SERVE_TOKEN): give one, not both');
      if (values['no-auth'] && !loopback) throw new UsageError(`--no-auth is refused on ${host}: off this machine a token is required`);
      if (!given && !values['no-auth'] && !loopback) throw new UsageError(`listening on ${host} needs a token: set QWEN_ROUTER_SERVE_TOKEN (or --token), or listen on 127.0.0.1`);
      const token = values['no-auth'] ? undefined : (given ?? generateEndpointToken());
      const config = await configFromFlagsAndHistory(values, io.env);
      const getApiKey = await apiKeysFromFlags(values, io);
      const store = openStore(historyPath(values, io.env), { privacy: config.privacy });
      const telemetry = cliTelemetry(io, { allowInsecureHttp: values['allow-insecure-http'] === true });

      let classifier: CliClassifier | undefined;
      if (typeof values['model-dir'] === 'string') {
        if (seams.startClassifier) classifier = await seams.startClassifier(values, io);
        else io.stderr.write('note: no classifier is available; routing by prompt length\n');
      }
      let server;
      try {
        server = await startRouterServer(
          { config: () => config, classify: classifier?.classify, store, getApiKey, missingKeyHint: MISSING_KEY_HINT, onResult: (result) => telemetry?.recorded(result.record, config.privacy) },
          { host, port, token, allowedOrigins: (values['allow-origin'] as unknown as string[] | undefined) ?? [], version },
        );
      } catch (error) {
        await classifier?.dispose();
        await telemetry?.shutdown();
        if (error instanceof EndpointStartError) throw new Error(error.message);
        throw error;
      }

      // One line for scripts on stdout; the rest is for people, on stderr.
      io.stdout.write(`${JSON.stringify({ url: server.url, host: server.host, port: server.port })}\n`);
      io.stderr.write(`Qwen Router endpoint on ${server.url} (routing: ${classifier ? `classifier from ${values['model-dir']}` : 'prompt length, no --model-dir'}; history: ${store.path})\n`);
      if (!token) {
        io.stderr.write('WARNING: no token (--no-auth): every program on this machine can call this endpoint, spend your API key and read your history.\n');
      } else if (!given) {
        io.stderr.write(`token (generated for this run, shown once): ${token}\n  send it as "Authorization: Bearer <token>"; set QWEN_ROUTER_SERVE_TOKEN to choose your own\n`);
      }

      const signal = await new Promise<string>((resolve) => {
        const stop = (name: string) => {
          for (const s of STOP_SIGNALS) process.off(s, stop);
          resolve(name);
        };
        for (const s of STOP_SIGNALS) process.on(s, stop);
      });
      io.stderr.write(`${signal}: stopping (requests still running get 5 s)\n`);
      await server.close(5_000);
      await classifier?.dispose();
      await telemetry?.shutdown();
      io.stderr.write('stopped\n');
      return 0;
    },
  };
}
