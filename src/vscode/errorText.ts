import * as vscode from 'vscode';
import type { FallbackReason } from '../core/classifier/result';
import type { ErrorKind } from '../core/llm/errors';
import { CHAT_STRINGS } from '../protocol/chat';

/**
 * The core words its failures in English, with their details (model, region, URL, request id).
 * In another display language the user first reads what happened and what to do in their own
 * language, then the core's sentence with the details.
 */
function headline(kind: ErrorKind): string {
  switch (kind) {
    case 'no_api_key':
      return vscode.l10n.t('No API key is set: run "Qwen Router: Set API Key".');
    case 'unknown_model':
      return vscode.l10n.t('That model is not configured: check qwenRouter.models.');
    case 'auth':
      return vscode.l10n.t('The API key was rejected: check the key, and that it belongs to the chosen region.');
    case 'forbidden':
      return vscode.l10n.t('Access was denied: the account may lack access to this model, or be overdue.');
    case 'model_not_found':
      return vscode.l10n.t('The model was not found: check its id and that the region offers it.');
    case 'rate_limited':
      return vscode.l10n.t('Rate limited: wait a moment and try again.');
    case 'content_filtered':
      return vscode.l10n.t("The provider's content moderation rejected the request: rephrase it.");
    case 'bad_request':
      return vscode.l10n.t('The provider refused the request.');
    case 'server_error':
      return vscode.l10n.t('The provider had an internal error: try again.');
    case 'timeout':
      return vscode.l10n.t('The provider did not answer in time.');
    case 'network':
      return vscode.l10n.t('The provider could not be reached: check the network, the proxy and the base URL.');
    case 'stream_interrupted':
      return vscode.l10n.t('The answer was cut off; the partial answer is kept.');
    case 'protocol':
      return vscode.l10n.t('The provider sent a malformed answer (not our fault): try again; if it persists, check the base URL and the proxy.');
    case 'budget_exceeded':
      return vscode.l10n.t('A spending budget stopped this call; nothing was sent.');
    case 'internal':
      return vscode.l10n.t('Something went wrong inside Qwen Router.');
  }
}

/** Why routing fell back to the prompt's length, in the display language (the chat's own labels). */
export function fallbackText(reason: FallbackReason): string {
  const labels: Record<FallbackReason, string> = {
    model_missing: CHAT_STRINGS.reasonModelMissing,
    model_loading: CHAT_STRINGS.reasonModelLoading,
    model_failed: CHAT_STRINGS.reasonModelFailed,
    timeout: CHAT_STRINGS.reasonTimeout,
    empty_prompt: CHAT_STRINGS.reasonEmptyPrompt,
    classifier_error: CHAT_STRINGS.reasonClassifierError,
    classifier_crashed: CHAT_STRINGS.reasonClassifierCrashed,
  };
  return vscode.l10n.t(labels[reason]);
}

const english = () => vscode.env.language.toLowerCase().startsWith('en');

/** A failure for the user: the core's sentence in English; headline first in other languages. */
export function failureText(error: { kind: ErrorKind; message: string }): string {
  return english() ? error.message : `${headline(error.kind)} ${error.message}`;
}
