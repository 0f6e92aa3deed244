// Types for scripts/packaging.mjs, so TypeScript tests can import it.
export interface TargetPlan {
  target: string;
  /** onnxruntime-node's binary folder under bin/napi-v6/, e.g. "linux/x64". */
  ort: string;
  /** The tokenizers binary's platform suffix, e.g. "linux-x64-gnu". */
  tokenizers: string;
}
export declare const TARGETS: Readonly<Record<string, { ort: string; tokenizers: string }>>;
export declare const DEFAULT_TARGET: string;
export declare const REFUSED_TARGETS: Readonly<Record<string, string>>;
export declare class TargetError extends Error {}
export declare function resolveTarget(name?: string): TargetPlan;
export declare const NATIVE_PACKAGES: readonly string[];
export declare const NATIVE_DIR: string;
export declare function nativeFileGlobs(target: string): Record<string, string[]>;
export declare function globToRegExp(glob: string): RegExp;
export declare function shipsNativeFile(pkg: string, relPath: string, target: string): boolean;
export declare function listFiles(dir: string): string[];
export declare function selectNativeFiles(nodeModulesDir: string, target: string): { pkg: string; rel: string }[];
export declare function vscodeignoreFor(base: string, target: string): string;
export declare function allowedRuntimeRequire(name: string): boolean;
export declare function unshippedRequires(source: string): string[];
export declare function vsixProblems(entries: string[], target: string, options?: { webviews?: string[] }): string[];
export interface ZipEntry { name: string; size: number; compressedSize: number; method: number; localHeader: number }
export declare function listZip(buffer: Buffer): ZipEntry[];
export declare function readZipEntry(buffer: Buffer, entry: ZipEntry): Buffer;
