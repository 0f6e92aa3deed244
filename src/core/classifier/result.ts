/** The classifier's verdict on one prompt, with NVIDIA's eleven field names (model card / NeMo Curator). */
export interface ClassifierResult {
  task_type_1: string;
  task_type_2: string;
  task_type_prob: number;
  creativity_scope: number;
  reasoning: number;
  contextual_knowledge: number;
  number_of_few_shots: number;
  domain_knowledge: number;
  no_label_reason: number;
  constraint_ct: number;
  prompt_complexity_score: number;
}

/** Why routing fell back to token length instead of using the classifier. */
export type FallbackReason =
  | 'model_missing' // no model directory found
  | 'model_loading' // the session is still being created
  | 'model_failed' // the model could not be loaded (corrupt file, bad config, unknown tokenizer...)
  | 'timeout' // classification ran over its time budget
  | 'empty_prompt' // nothing to classify
  | 'classifier_error' // inference itself failed
  | 'classifier_crashed'; // the classifier's process stopped unexpectedly: it is restarting (or the request was in flight)

export type ClassifyOutcome =
  | { ok: true; result: ClassifierResult; elapsedMs: number; tokens: number; /** The verdict came from the in-memory cache of recent ones. */ cached?: boolean }
  | { ok: false; reason: FallbackReason; message: string; elapsedMs: number };

/** What routing needs from the classifier: one call, never throws, always answers within its budget. */
export type ClassifyFn = (prompt: string, signal?: AbortSignal) => Promise<ClassifyOutcome>;
