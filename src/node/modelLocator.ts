import { join } from 'node:path';
import { looksLikeModelDir } from '../core/classifier/modelDir';

/** The folder name a downloaded or bundled model lives under, in models/ and in global storage. */
export const MODEL_FOLDER = 'prompt-task-and-complexity-classifier';

export interface ModelSearch {
  /** The qwenRouter.classifier.modelPath setting, when set. */
  configuredPath?: string;
  /** The extension's own models/ folder. */
  extensionModelsDir?: string;
  /** The extension's global storage, where downloads go. */
  globalStorageDir?: string;
}

export interface ModelLocation {
  dir: string | undefined;
  /** Every place looked at, in order, for messages that say where a model is expected. */
  searched: string[];
}

/** Finds the model: the setting first, then the extension's models/ folder, then global storage. */
export function locateModel(search: ModelSearch): ModelLocation {
  const candidates = [
    search.configuredPath,
    search.extensionModelsDir && join(search.extensionModelsDir, MODEL_FOLDER),
    search.globalStorageDir && downloadTarget(search.globalStorageDir),
  ].filter((dir): dir is string => Boolean(dir));
  return { dir: candidates.find(looksLikeModelDir), searched: candidates };
}

/** Where the download command puts the model. */
export function downloadTarget(globalStorageDir: string): string {
  return join(globalStorageDir, 'models', MODEL_FOLDER);
}
