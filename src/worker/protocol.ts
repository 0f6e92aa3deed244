import type { ClassifierResult } from '../core/classifier/result';
import type { Precision } from '../core/classifier/modelDir';
import type { PrecisionSetting } from '../core/classifier/selfCheck';

// One protocol for both ways the classifier runs (src/worker/classifierWorker.ts): a worker thread
// (postMessage, structured clone) and a child process (IPC, JSON). Every message is plain JSON for that reason.

/** Given at spawn time: workerData for a thread, the first command-line argument (JSON) for a process. */
export interface WorkerInit {
  modelDir: string;
  precision: PrecisionSetting;
  intraOpThreads: number;
}

export type HostToWorker =
  | { type: 'classify'; id: number; text: string }
  | { type: 'cancel'; id: number }
  /** Finish the running request, release the session, exit. (Terminating a worker inside onnxruntime aborts the process.) */
  | { type: 'shutdown' };

export interface ModelInfo {
  onnxPath: string;
  precision: Precision;
  substitutedFor?: Precision;
  /** Why the "auto" precision picked this one (int8 only after a passing self-check). */
  precisionReason?: string;
  sessionCreateMs: number;
  tokenizerFormat: 'tokenizer.json' | 'spm.model';
  /** onnxruntime's intra-op threads for this session. */
  intraOpThreads: number;
}

export type WorkerToHost =
  | { type: 'loaded'; info: ModelInfo }
  | { type: 'loadFailed'; message: string }
  | { type: 'classified'; id: number; result: ClassifierResult; tokens: number; tokenizeMs: number; inferMs: number }
  | { type: 'classifyFailed'; id: number; message: string }
  | { type: 'skipped'; id: number };
