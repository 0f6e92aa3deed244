import * as vscode from 'vscode';

/**
 * A markdown document beside the editor that an answer streams into. Writes are queued (edits must
 * not overlap) and coalesced, so a fast stream costs a few edits a second, not one per token.
 */
export class AnswerDocument {
  private pending = '';
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  private constructor(readonly document: vscode.TextDocument) {}

  static async open(title: string): Promise<AnswerDocument> {
    const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: `# ${title}\n\n` });
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
      const edit = new vscode.WorkspaceEdit();
      const end = this.document.lineAt(this.document.lineCount - 1).range.end;
      edit.insert(this.document.uri, end, text);
      await vscode.workspace.applyEdit(edit);
    });
    return this.writing;
  }
}
