import * as vscode from 'vscode';
import type { Logger } from '../core/log';

/** The name of the extension's one log (View → Output → "Qwen Router"). */
export const LOG_NAME = 'Qwen Router';

/**
 * The extension's one log: a LogOutputChannel, so each line has a time and a level and the user
 * picks how much to see ("Developer: Set Log Level…"). It is the core's Logger as it is.
 */
export function createLog(): vscode.LogOutputChannel & Logger {
  return vscode.window.createOutputChannel(LOG_NAME, { log: true });
}
