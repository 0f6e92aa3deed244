// The stats view's classifier section, read from the running classifier and the model folder: the
// precision in use and why, and the self-check file kept beside the int8 graph.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { ONNX_FILES } from '../core/classifier/modelDir';
import { readSelfCheck } from '../core/classifier/selfCheck';
import { classifierView, type ClassifierView } from '../core/classifier/selfCheckView';
import type { ClassifierState } from '../node/classifierService';
import { readClassifierSettings } from './classifierController';

function statOf(path: string): { size: number; mtimeMs: number } | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

export function currentClassifierView(classifier: { state: ClassifierState; modelDir: string | undefined }): ClassifierView {
  const dir = classifier.modelDir;
  const int8 = dir ? statOf(join(dir, ONNX_FILES.int8)) : undefined;
  return classifierView({
    state: classifier.state,
    setting: readClassifierSettings().precision,
    modelDir: dir,
    report: dir ? readSelfCheck(dir) : undefined,
    int8BytesOnDisk: int8?.size,
    int8MtimeMsOnDisk: int8?.mtimeMs,
  });
}
