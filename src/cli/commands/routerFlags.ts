// What `ask` and `serve` share: the flags that build the core's config, and where the API key comes from.
import { readFile } from 'node:fs/promises';
import type { AskDeps } from '../../core/ask';
import { resolveConfig, type RouterConfig } from '../../core/config';
import { apiKeyFromEnvironment, DEFAULT_API_KEY_ID } from '../../core/models/endpoints';
import { UsageError, type CliCommand, type CliIo } from '../runner';
import { historyOption, historyPath, openStore } from './historyOptions';
import { dialProblem, type ScoreDistribution } from '../../core/routing/dial';

/** --cost-quality N: a whole number 0..10, or a UsageError that says so. */
export function dialFlag(value: string | boolean | undefined): number | undefined {
  if (value === undefined) return undefined;
  const dial = typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  const problem = dialProblem(dial);
  if (problem) throw new UsageError(`--${problem.replace(/; got .*/, `; got "${String(value)}"`)}`);
  return dial;
}

type Values = Record<string, string | boolean | undefined>;

export const routerFlagOptions = {
  'base-url': { type: 'string' },
  'api-key': { type: 'string' },
  'api-key-file': { type: 'string' },
  ...historyOption,
  'no-stream': { type: 'boolean' },
  region: { type: 'string' },
  thinking: { type: 'string' },
  'cost-quality': { type: 'string' },
  privacy: { type: 'string' },
  'no-escalate': { type: 'boolean' },
  'allow-insecure-http': { type: 'boolean' },
} satisfies CliCommand['options'];

export const MISSING_KEY_HINT = 'Set DASHSCOPE_API_KEY or pass --api-key-file.';

/** Why a file could not be read, in words (never a stack trace). */
function unreadable(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return 'it does not exist';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}

export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(parts).toString('utf8');
}

/** The key from a file or stdin (-), without the newline editors and `echo` leave; the key itself is never printed. */
async function readApiKeyFile(file: string, stdin: NodeJS.ReadableStream): Promise<string> {
  const name = file === '-' ? 'the API key read from stdin' : `the API key file ${file}`;
  let text: string;
  try {
    text = file === '-' ? await readAll(stdin) : await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${name}: ${unreadable(error)}`);
  }
  const key = text.trim();
  if (!key) throw new UsageError(`${name} is empty`);
  return key;
}

/**
 * The key for each model: --api-key-file (- reads stdin), --api-key or DASHSCOPE_API_KEY for the
 * default key id; QWEN_ROUTER_API_KEY_<ID> for the others. Read once, up front.
 */
export async function apiKeysFromFlags(values: Values, io: CliIo): Promise<AskDeps['getApiKey']> {
  const keyFile = typeof values['api-key-file'] === 'string' ? values['api-key-file'] : undefined;
  if (keyFile !== undefined && values['api-key'] !== undefined) throw new UsageError('--api-key and --api-key-file: give one, not both');
  const keyFromFile = keyFile === undefined ? undefined : await readApiKeyFile(keyFile, io.stdin);
  const apiKey = keyFromFile ?? ((typeof values['api-key'] === 'string' && values['api-key']) || io.env.DASHSCOPE_API_KEY || '');
  return (keyId) => (keyId === DEFAULT_API_KEY_ID ? apiKey : apiKeyFromEnvironment(keyId, io.env));
}

/** The core's config from the flags (and DASHSCOPE_BASE_URL / DASHSCOPE_REGION); a UsageError names what is wrong. */
export function configFromFlags(values: Values, env: NodeJS.ProcessEnv, scores?: ScoreDistribution): RouterConfig {
  if (values.privacy !== undefined && values.privacy !== 'full' && values.privacy !== 'metadata') throw new UsageError('--privacy must be "full" or "metadata"');
  const baseUrl = (typeof values['base-url'] === 'string' && values['base-url']) || env.DASHSCOPE_BASE_URL || undefined;
  const { config, problems } = resolveConfig({
    region: typeof values.region === 'string' ? values.region : env.DASHSCOPE_REGION,
    baseUrl,
    stream: values['no-stream'] ? false : true,
    escalate: values['no-escalate'] ? false : true,
    thinking: values.thinking === undefined ? undefined : String(values.thinking),
    costQuality: dialFlag(values['cost-quality']),
    complexityScores: scores,
    privacy: typeof values.privacy === 'string' ? values.privacy : undefined,
    allowInsecureHttp: values['allow-insecure-http'] === true,
  });
  if (problems.length) throw new UsageError(problems.join('; '));
  return config;
}

/**
 * The config for ask and serve. With --cost-quality the dial follows the history's recorded scores
 * (read once, at start) when there are enough of them; without it the scan is skipped.
 */
export async function configFromFlagsAndHistory(values: Values, env: NodeJS.ProcessEnv): Promise<RouterConfig> {
  if (dialFlag(values['cost-quality']) === undefined) return configFromFlags(values, env);
  const path = historyPath(values, env);
  let scores: ScoreDistribution;
  try {
    scores = await openStore(path).complexityScores();
  } catch (error) {
    throw new UsageError(`--cost-quality: cannot read the history ${path}: ${unreadable(error)}`);
  }
  return configFromFlags(values, env, scores);
}
