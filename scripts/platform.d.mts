// Types for scripts/platform.mjs, so TypeScript tests can import it.
export function chromiumHint(platform?: NodeJS.Platform): string;
export function chromiumCandidates(platform?: NodeJS.Platform, env?: NodeJS.ProcessEnv): string[];
export function findChromium(options?: {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  exists?: (path: string) => boolean;
  playwright?: () => string | undefined;
}): { path: string; problem?: undefined } | { path: undefined; problem: string };
export function ripgrepArchiveName(platform?: NodeJS.Platform, arch?: string, env?: NodeJS.ProcessEnv): string;
export const RIPGREP_PACKAGE_VERSION: string;
export function codeServerNodePackage(platform?: NodeJS.Platform, arch?: string): string;
