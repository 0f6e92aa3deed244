import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { ModelFormatError } from '../core/classifier/errors';
import { headOrderFromOutputs, parseHeadConfig, type HeadConfig, type HeadName } from '../core/classifier/heads';
import { resolveModelFiles } from '../core/classifier/modelDir';
import { choosePrecision, type PrecisionSetting } from '../core/classifier/selfCheck';
import { postprocess, type HeadLogits } from '../core/classifier/postprocess';
import type { ClassifierResult } from '../core/classifier/result';
import { loadPromptTokenizer, type PromptTokenizer } from '../core/classifier/tokenizer';
import type { ModelInfo } from './protocol';

export interface Classification {
  result: ClassifierResult;
  tokens: number;
  tokenizeMs: number;
  inferMs: number;
}

/** Tokenizer + ONNX session + post-processing for one model directory. Runs on whichever thread owns it. */
export class ClassifierEngine {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly tokenizer: PromptTokenizer,
    private readonly heads: HeadConfig,
    private readonly headOrder: HeadName[],
    readonly info: ModelInfo,
  ) {}

  static async load(modelDir: string, precision: PrecisionSetting, intraOpThreads: number): Promise<ClassifierEngine> {
    const choice = choosePrecision(modelDir, precision);
    const files = resolveModelFiles(modelDir, choice.precision);
    let config: unknown;
    try {
      config = JSON.parse(readFileSync(files.configPath, 'utf8'));
    } catch (error) {
      throw new ModelFormatError(`config.json in ${modelDir} is not valid JSON (${(error as Error).message}). Download the model again.`);
    }
    const heads = parseHeadConfig(config);
    const tokenizer = await loadPromptTokenizer(modelDir);

    const started = performance.now();
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(files.onnxPath, {
        intraOpNumThreads: intraOpThreads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
        logSeverityLevel: 3, // errors only: warnings about a graph's unused initializers are noise to a user
      });
    } catch (error) {
      throw new ModelFormatError(`${files.onnxPath} could not be loaded by onnxruntime (${firstLine(error)}). The file may be truncated or corrupt: download the model again.`);
    }
    const sessionCreateMs = performance.now() - started;

    // Everything below checks the graph against what the classifier needs; a failed check releases it.
    try {
      const missingInputs = ['input_ids', 'attention_mask'].filter((name) => !session.inputNames.includes(name));
      if (missingInputs.length) {
        throw new ModelFormatError(`${files.onnxPath} has no ${missingInputs.join(' or ')} input: it is not the prompt classifier. Download the model again.`);
      }
      const engine = new ClassifierEngine(session, tokenizer, heads, headOrderFromOutputs(session.outputNames), {
        onnxPath: files.onnxPath,
        precision: files.precision,
        ...(files.substitutedFor ? { substitutedFor: files.substitutedFor } : {}),
        ...(choice.reason ? { precisionReason: choice.reason } : {}),
        sessionCreateMs,
        tokenizerFormat: tokenizer.format,
        intraOpThreads,
      });
      // One forward pass on [CLS] [SEP] checks every head's size against config.json now, not on the
      // user's first question, and warms the session up (the first run allocates).
      await engine.run([tokenizer.clsId, tokenizer.sepId]);
      return engine;
    } catch (error) {
      await session.release();
      throw error instanceof ModelFormatError ? error : new ModelFormatError(`${files.onnxPath} failed a test run (${firstLine(error)}). Download the model again.`);
    }
  }

  async classify(text: string): Promise<Classification> {
    const tokenizeStart = performance.now();
    const ids = await this.tokenizer.encode(text);
    const inferStart = performance.now();
    const logits = await this.run(ids);
    const result = postprocess(logits, this.heads);
    return { result, tokens: ids.length, tokenizeMs: inferStart - tokenizeStart, inferMs: performance.now() - inferStart };
  }

  /** One forward pass on already tokenized ids; the logits per head, checked against config.json. */
  async run(ids: number[]): Promise<HeadLogits> {
    const shape = [1, ids.length];
    const feeds = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, (id) => BigInt(id)), shape),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(ids.length).fill(1n), shape),
    };
    const outputs = await this.session.run(feeds);
    const logits = {} as Record<HeadName, ArrayLike<number>>;
    this.session.outputNames.forEach((name, index) => {
      const head = this.headOrder[index];
      const tensor = outputs[name];
      const expected = this.heads.sizes[head];
      if (tensor.data.length !== expected) {
        throw new ModelFormatError(`The model's ${head} output has ${tensor.data.length} classes but config.json says ${expected}. The graph and config.json do not belong together: download the model again.`);
      }
      logits[head] = tensor.data as Float32Array;
    });
    return logits;
  }

  encode(text: string): Promise<number[]> {
    return this.tokenizer.encode(text);
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

/** The first line of an error's message: onnxruntime's messages can run to many lines of C++ context. */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0].slice(0, 300);
}
