import * as vscode from 'vscode';

/** The scheme of answer documents that live in memory only (privacy "metadata"). */
export const ANSWER_SCHEME = 'qwen-router-answer';

/**
 * Read-only answer documents served from memory. VS Code backs up untitled documents to disk (hot
 * exit), so under privacy "metadata" an answer is shown from here instead: never dirty, never backed up.
 */
class InMemoryAnswers implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private next = 1;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }

  create(text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: ANSWER_SCHEME, path: `/${vscode.l10n.t('Answer')} ${this.next++}.md` });
    this.texts.set(uri.toString(), text);
    return uri;
  }

  append(uri: vscode.Uri, text: string): void {
    const key = uri.toString();
    if (!this.texts.has(key)) return;
    this.texts.set(key, this.texts.get(key) + text);
    this.changed.fire(uri);
  }

  forget(uri: vscode.Uri): void {
    this.texts.delete(uri.toString());
  }

  dispose(): void {
    this.texts.clear();
    this.changed.dispose();
  }
}

const inMemory = new InMemoryAnswers();

/** Registers the in-memory answer documents; call once on activation. */
export function registerAnswerDocuments(): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.workspace.registerTextDocumentContentProvider(ANSWER_SCHEME, inMemory),
    vscode.workspace.onDidCloseTextDocument((document) => {
      if (document.uri.scheme === ANSWER_SCHEME) inMemory.forget(document.uri);
    }),
  );
}

/**
 * A markdown document beside the editor that an answer streams into. Writes are queued (edits must
 * not overlap) and coalesced, so a fast stream costs a few edits a second, not one per token.
 * With `keepsText` false (privacy "metadata") it is a read-only in-memory document (see above).
 */
export class AnswerDocument {
  private pending = '';
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  private constructor(readonly document: vscode.TextDocument) {}

  static async open(title: string, options: { keepsText: boolean } = { keepsText: true }): Promise<AnswerDocument> {
    const heading = `# ${title}\n\n`;
    const document = options.keepsText
      ? await vscode.workspace.openTextDocument({ language: 'markdown', content: heading })
      : await vscode.workspace.openTextDocument(inMemory.create(heading));
    // Beside the editor the question came from; with no editor open, in the editor area itself.
    const column = vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
    await vscode.window.showTextDocument(document, { viewColumn: column, preview: false, preserveFocus: true });
    return new AnswerDocument(document);
  }

  /** Appends text; it reaches the document within ~50 ms. */
  append(text: string): void {
    this.pending += text;
    this.timer ??= setTimeout(() => void this.flush(), 50);
  }

  /** Writes everything appended so far. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const text = this.pending;
    this.pending = '';
    if (!text) return this.writing;
    this.writing = this.writing.then(async () => {
      if (this.document.isClosed) return;
      if (this.document.uri.scheme === ANSWER_SCHEME) {
        inMemory.append(this.document.uri, text);
        return;
      }
      const edit = new vscode.WorkspaceEdit();
      const end = this.document.lineAt(this.document.lineCount - 1).range.end;
      edit.insert(this.document.uri, end, text);
      await vscode.workspace.applyEdit(edit);
    });
    return this.writing;
  }
}
