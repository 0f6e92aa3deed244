import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ModelFormatError } from './errors';

/** The graph precisions a model directory may hold, each under onnx/ as the Hugging Face exports name them. */
export const ONNX_FILES = {
  fp32: 'onnx/model.onnx',
  fp16: 'onnx/model_fp16.onnx',
  int8: 'onnx/model_quantized.onnx',
} as const;
export type Precision = keyof typeof ONNX_FILES;
export const PRECISIONS = Object.keys(ONNX_FILES) as Precision[];

/** Tokenizer files, by format: tokenizer.json wins; spm.model is used when there is none. */
export const TOKENIZER_FILES = ['tokenizer.json', 'spm.model', 'tokenizer_config.json', 'special_tokens_map.json', 'added_tokens.json'] as const;

export interface ModelFiles {
  dir: string;
  configPath: string;
  onnxPath: string;
  precision: Precision;
  /** Set when the requested precision was absent and another one present was taken instead. */
  substitutedFor?: Precision;
}

const isFile = (path: string) => existsSync(path) && statSync(path).isFile();

/** Does this directory look like a classifier model (config, a tokenizer and at least one graph)? */
export function looksLikeModelDir(dir: string): boolean {
  return isFile(join(dir, 'config.json')) && PRECISIONS.some((p) => isFile(join(dir, ONNX_FILES[p])));
}

/**
 * Picks the files to load from a model directory. The requested precision is used when present;
 * otherwise another present one is, and the substitution is reported rather than failing.
 */
export function resolveModelFiles(dir: string, precision: Precision): ModelFiles {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ModelFormatError(`The model directory ${dir} does not exist. Run "Qwen Router: Download Classifier Model" or fix the qwenRouter.classifier.modelPath setting.`);
  }
  const configPath = join(dir, 'config.json');
  if (!isFile(configPath)) {
    throw new ModelFormatError(`${dir} has no config.json. A classifier model directory holds config.json, tokenizer.json (or spm.model) and onnx/model.onnx.`);
  }
  if (!isFile(join(dir, 'tokenizer.json')) && !isFile(join(dir, 'spm.model'))) {
    throw new ModelFormatError(`${dir} has no tokenizer (tokenizer.json or spm.model). Download the model again, or copy the tokenizer files from the model's repository.`);
  }
  const order = [precision, ...PRECISIONS.filter((p) => p !== precision)];
  const found = order.find((p) => isFile(join(dir, ONNX_FILES[p])));
  if (!found) {
    throw new ModelFormatError(`${dir} has no ONNX graph (expected one of ${PRECISIONS.map((p) => ONNX_FILES[p]).join(', ')}). Download the model again.`);
  }
  return {
    dir,
    configPath,
    onnxPath: join(dir, ONNX_FILES[found]),
    precision: found,
    ...(found === precision ? {} : { substitutedFor: precision }),
  };
}
