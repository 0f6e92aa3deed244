// The CLI as a real child process (`node dist/cli.js`, build first) against a DashScope stand-in:
// the spawn helper and the suite's shared setup, for CLI tests.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DashScopeStandIn } from './dashscopeStandIn';
import { tempDirs } from './tempDir';

export const CLI = process.env.QWEN_ROUTER_CLI ?? resolve(__dirname, '../../../dist/cli.js');

export interface CliRun {
  code: number | null;
  /** The signal that ended the process, when it did not handle it. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  env?: Record<string, string>;
  /** Written to the child's stdin, then closed; without it stdin is ignored. */
  stdin?: string;
  /** Called with all of stdout so far, on every piece. */
  onStdout?: (text: string, child: ReturnType<typeof spawn>) => void;
}

export function runCliChild(args: string[], options: CliRunOptions = {}): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...options.env };
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => {
      stdout += d;
      options.onStdout?.(stdout, child);
    });
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
    if (options.stdin !== undefined) child.stdin!.end(options.stdin);
  });
}

/** Registers the suite's hooks: a stand-in accepting `apiKey` (reset before each test), temporary history files. */
export function cliSuite(apiKey: string) {
  const dirs = tempDirs();
  const suite = {
    standIn: undefined as unknown as DashScopeStandIn,
    dirs,
    history: () => join(dirs.make(), 'call_history.jsonl'),
    /** The records of a history file; none when it does not exist. */
    records: (path: string) => (existsSync(path) ? readFileSync(path, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l)) : []),
  };
  before(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run node esbuild.config.mjs first`);
    suite.standIn = await DashScopeStandIn.start({ apiKey });
  });
  after(async () => {
    await suite.standIn?.close();
    dirs.cleanup();
  });
  beforeEach(() => suite.standIn.reset());
  return suite;
}
