// Helpers for the webview host tests: a real webview panel whose traffic is recorded both ways,
// and in-memory Mementos standing in for workspaceState / globalState.
import * as vscode from 'vscode';

export interface WebviewSpy {
  /** The recording webview (pass it where a vscode.Webview is expected). */
  webview: vscode.Webview;
  panel: vscode.WebviewPanel;
  /** The panel, as a view (for WebviewViewProvider.resolveWebviewView). */
  asView(): vscode.WebviewView;
  /** The panel with the recording webview (for a WebviewPanelSerializer). */
  asPanel(): vscode.WebviewPanel;
  /** What the host posted to the page, in order. */
  posted: { message: Record<string, unknown>; at: number }[];
  /** What the page posted to the host, in order. */
  received: { message: Record<string, unknown>; at: number }[];
  /** Delivers a message to the host's listeners as if the page had posted it. */
  simulate(message: unknown): void;
  waitPosted(predicate: (message: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  waitReceived(predicate: (message: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Forgets the recorded traffic (the panel stays: reusing one panel avoids the webview service-worker hand-over, slow in headless Chromium). */
  reset(): void;
  dispose(): void;
}

async function waitFor<T>(find: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const started = Date.now();
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Opens a real webview panel (its page runs in the workbench) and records its messages. */
export function spyWebview(viewType: string, title: string): WebviewSpy {
  const panel = vscode.window.createWebviewPanel(viewType, title, { viewColumn: vscode.ViewColumn.One, preserveFocus: false }, { enableScripts: true });
  const target = panel.webview;
  const posted: WebviewSpy['posted'] = [];
  const received: WebviewSpy['received'] = [];
  const listeners: ((message: unknown) => void)[] = [];
  const disposables: vscode.Disposable[] = [];
  disposables.push(
    target.onDidReceiveMessage((message: Record<string, unknown>) => {
      received.push({ message, at: performance.now() });
      for (const listener of [...listeners]) listener(message);
    }),
  );
  const webview = new Proxy(target, {
    get(object, property) {
      if (property === 'postMessage') {
        return (message: Record<string, unknown>) => {
          posted.push({ message: JSON.parse(JSON.stringify(message)), at: performance.now() });
          return object.postMessage(message);
        };
      }
      if (property === 'onDidReceiveMessage') {
        return (listener: (message: unknown) => void) => {
          listeners.push(listener);
          return new vscode.Disposable(() => {
            const index = listeners.indexOf(listener);
            if (index !== -1) listeners.splice(index, 1);
          });
        };
      }
      const value: unknown = Reflect.get(object, property);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(object) : value;
    },
    set(object, property, value) {
      return Reflect.set(object, property, value);
    },
  });
  const panelProxy = new Proxy(panel, {
    get(object, property) {
      if (property === 'webview') return webview;
      const value: unknown = Reflect.get(object, property);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(object) : value;
    },
    set(object, property, value) {
      return Reflect.set(object, property, value);
    },
  });
  const view = {
    viewType,
    get webview() {
      return webview;
    },
    title,
    description: undefined,
    badge: undefined,
    get visible() {
      return panel.visible;
    },
    onDidDispose: panel.onDidDispose,
    onDidChangeVisibility: (listener: () => void) => panel.onDidChangeViewState(() => listener()),
    show: () => panel.reveal(),
  } as unknown as vscode.WebviewView;
  return {
    webview,
    panel,
    asView: () => view,
    asPanel: () => panelProxy,
    posted,
    received,
    simulate: (message) => {
      for (const listener of [...listeners]) listener(message);
    },
    waitPosted: (predicate, timeoutMs = 15_000) => waitFor(() => posted.find((p) => predicate(p.message))?.message, timeoutMs, 'a message from the host'),
    waitReceived: (predicate, timeoutMs = 30_000) => waitFor(() => received.find((r) => predicate(r.message))?.message, timeoutMs, 'a message from the webview'),
    reset: () => {
      posted.length = 0;
      received.length = 0;
    },
    dispose: () => {
      for (const d of disposables.splice(0)) d.dispose();
      panel.dispose();
    },
  };
}

/** An in-memory Memento (workspaceState / globalState). */
export function memoryMemento(): vscode.Memento & { setKeysForSync(keys: readonly string[]): void } {
  const values = new Map<string, unknown>();
  return {
    keys: () => [...values.keys()],
    get: <T>(key: string, fallback?: T) => (values.has(key) ? (JSON.parse(JSON.stringify(values.get(key))) as T) : fallback),
    update: async (key: string, value: unknown) => {
      if (value === undefined) values.delete(key);
      else values.set(key, JSON.parse(JSON.stringify(value)));
    },
    setKeysForSync: () => undefined,
  } as vscode.Memento & { setKeysForSync(keys: readonly string[]): void };
}

export { waitFor };
