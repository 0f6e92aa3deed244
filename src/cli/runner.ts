import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Where a command reads and writes; tests pass their own streams. */
export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

export interface CliCommand {
  name: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Returns the process exit code. Throw a UsageError for bad arguments. */
  run(values: Record<string, string | boolean | undefined>, positionals: string[], io: CliIo): Promise<number>;
}

/** An error whose message is meant for the user as it is: printed as one line, no stack. */
export class UsageError extends Error {}

export async function runCli(argv: string[], commands: CliCommand[], io: CliIo = processIo()): Promise<void> {
  process.exitCode = await dispatch(argv, commands, io);
}

export async function dispatch(argv: string[], commands: CliCommand[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  const command = commands.find((c) => c.name === name);
  if (!command) {
    const list = commands.map((c) => `  ${c.usage}`).join('\n');
    io.stderr.write(`${name ? `Unknown command "${name}".` : 'No command given.'} Commands:\n${list}\n`);
    return 2;
  }
  try {
    const { values, positionals } = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true });
    return await command.run(values as Record<string, string | boolean | undefined>, positionals, io);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const hint = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? `\nUsage: ${command.usage}` : '';
    io.stderr.write(`qwen-router ${command.name}: ${message}${hint}\n`);
    return error instanceof UsageError || hint ? 2 : 1;
  }
}

function processIo(): CliIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** Reads JSONL prompts from a stream, one `{"prompt": "..."}` per line; blank lines are skipped. */
export async function* readPromptLines(input: NodeJS.ReadableStream): AsyncGenerator<{ line: number; prompt?: string; error?: string }> {
  const { createInterface } = await import('node:readline');
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line += 1;
    if (!text.trim()) continue;
    try {
      const parsed: unknown = JSON.parse(text);
      const prompt = (parsed as { prompt?: unknown } | null)?.prompt;
      if (typeof prompt !== 'string') yield { line, error: `line ${line}: expected {"prompt": "..."} with a string prompt` };
      else yield { line, prompt };
    } catch {
      yield { line, error: `line ${line}: not valid JSON` };
    }
  }
}
