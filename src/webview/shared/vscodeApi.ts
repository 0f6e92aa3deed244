/** The webview's side of the channel to the extension host, typed by each view's protocol. */

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export interface Channel<ToHost, ToWebview> {
  post(message: ToHost): void;
  /** Listens for host messages that pass the guard; anything else is dropped (and logged). */
  listen(handler: (message: ToWebview) => void): void;
  getState<T>(check: (value: unknown) => value is T): T | undefined;
  setState(state: unknown): void;
}

let api: VsCodeApi | undefined;

/** acquireVsCodeApi may be called once per page: keep the one instance. */
export function channel<ToHost, ToWebview>(isToWebview: (value: unknown) => value is ToWebview): Channel<ToHost, ToWebview> {
  api ??= acquireVsCodeApi();
  const vscode = api;
  return {
    post: (message) => vscode.postMessage(message),
    listen: (handler) => {
      window.addEventListener('message', (event: MessageEvent<unknown>) => {
        if (isToWebview(event.data)) handler(event.data);
        // The webview has no log channel of its own; its console is the webview's developer tools.
        // eslint-disable-next-line no-console
        else console.warn('[qwen-router] ignored a message that is not in the protocol', event.data);
      });
    },
    getState: (check) => {
      const state = vscode.getState();
      return check(state) ? state : undefined;
    },
    setState: (state) => vscode.setState(state),
  };
}
