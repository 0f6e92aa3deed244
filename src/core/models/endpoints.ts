/**
 * Where a key may come from and where a request may go: the two checks that keep a setting from
 * sending the user's API key, or their prompts, somewhere they did not choose.
 */

/** The key id of DashScope's key, the default for every model. */
export const DEFAULT_API_KEY_ID = 'dashscope';

/** Letters, digits, `-` and `_`, as a SecretStorage name and an environment-variable suffix both allow. */
const API_KEY_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** What is wrong with a model's `apiKeyId`, or undefined. The empty string means "no key". */
export function apiKeyIdProblem(id: string): string | undefined {
  if (id === '' || API_KEY_ID.test(id)) return undefined;
  return `"apiKeyId" must be letters, digits, "-" or "_" (at most 64), or "" for an endpoint that needs no key`;
}

/**
 * The environment variable a key id is read from: DASHSCOPE_API_KEY for DashScope's key, and
 * QWEN_ROUTER_API_KEY_<ID> for any other, so that a key id can never name another program's
 * variable (OPENAI_API_KEY, AWS_SECRET_ACCESS_KEY, ...).
 */
export function apiKeyEnvironmentVariable(id: string): string {
  if (id === DEFAULT_API_KEY_ID) return 'DASHSCOPE_API_KEY';
  return `QWEN_ROUTER_API_KEY_${id.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** True for hosts that never leave this machine: localhost, 127.0.0.0/8 and ::1. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * What is wrong with a base URL, or undefined. A plain http:// URL sends the API key and every
 * prompt unencrypted, so it is accepted only for loopback hosts unless the user opts in.
 */
export function baseUrlProblem(url: string, options: { allowInsecureHttp?: boolean } = {}): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `base URL "${url}" is not a URL; it must start with https:// (or http:// for a server on this machine)`;
  }
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol !== 'http:') return `base URL "${url}" must start with https:// (or http:// for a server on this machine)`;
  if (isLoopbackHost(parsed.hostname) || options.allowInsecureHttp) return undefined;
  return (
    `base URL "${url}" uses plain http:// to another machine, which would send your API key and prompts unencrypted. ` +
    'Use https://, or, only on a network you trust, turn on qwenRouter.allowInsecureHttp (CLI: --allow-insecure-http)'
  );
}

/** A key id's key from the environment: only from the variable `apiKeyEnvironmentVariable` names. */
export function apiKeyFromEnvironment(id: string, env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (apiKeyIdProblem(id) || id === '') return undefined;
  return env[apiKeyEnvironmentVariable(id)]?.trim() || undefined;
}
