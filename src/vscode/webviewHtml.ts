/**
 * The HTML shell of both webviews: a strict Content Security Policy (nothing by default; scripts
 * only by a per-render nonce; styles, fonts and images only from the extension's own resources),
 * no inline script or handler, and resources only from media/ and dist/webview/.
 *
 * Imports `vscode` for types only, so the HTML can be built and checked in plain Node.
 */
import { randomBytes } from 'node:crypto';
import type * as vscode from 'vscode';

/** The folders a webview may load from, relative to the extension root. */
export const WEBVIEW_RESOURCE_DIRS = ['media', 'dist/webview'] as const;

/** 128 random bits from the OS's CSPRNG, base64: a fresh one for every render. */
export function createNonce(): string {
  return randomBytes(16).toString('base64');
}

/** The policy: `default-src 'none'` and only what the page needs on top. */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    "connect-src 'none'",
    "frame-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
}

function escapeAttribute(value: string): string {
  // Every attribute below is double-quoted: these four are all that must be escaped.
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export interface HtmlParts {
  cspSource: string;
  nonce: string;
  /** Webview URIs (already converted with asWebviewUri). */
  scriptUri: string;
  styleUris: readonly string[];
  title: string;
  /** BCP 47 language of the UI (vscode.env.language). */
  lang: string;
  /** Which view this is (set on <body data-view>). */
  view: string;
}

/** The page: CSP meta first, stylesheets, an empty #app, and one nonce'd external script. */
export function buildWebviewHtml(parts: HtmlParts): string {
  const csp = contentSecurityPolicy(parts.cspSource, parts.nonce);
  const styles = parts.styleUris.map((uri) => `  <link rel="stylesheet" href="${escapeAttribute(uri)}">`).join('\n');
  return `<!DOCTYPE html>
<html lang="${escapeAttribute(parts.lang)}">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
${styles}
  <title>${escapeAttribute(parts.title)}</title>
</head>
<body data-view="${escapeAttribute(parts.view)}">
  <div id="app" role="application" aria-busy="true"></div>
  <script nonce="${escapeAttribute(parts.nonce)}" src="${escapeAttribute(parts.scriptUri)}"></script>
</body>
</html>
`;
}

/** A child of a Uri without needing `vscode` at run time (Uri.with keeps scheme and authority). */
function childUri(base: vscode.Uri, relative: string): vscode.Uri {
  const path = `${base.path.replace(/\/+$/, '')}/${relative.replace(/^\/+/, '')}`;
  return base.with({ path });
}

/** The local resource roots: media/ and dist/webview/ only. */
export function webviewResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return WEBVIEW_RESOURCE_DIRS.map((dir) => childUri(extensionUri, dir));
}

/** Options for a webview (view or panel): scripts on, no command URIs, local resources under the two roots. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, enableCommandUris: false, localResourceRoots: webviewResourceRoots(extensionUri) };
}

export interface PageSpec {
  /** The bundle under dist/webview/ (without .js): "chat" or "stats". */
  script: 'chat' | 'stats';
  /** Stylesheets under media/ (e.g. "codicons/codicon.css", "webview.css", "chat.css"). */
  styles: readonly string[];
  title: string;
  lang: string;
}

/** Builds the page for a webview, with a fresh nonce. */
export function renderWebviewHtml(webview: Pick<vscode.Webview, 'asWebviewUri' | 'cspSource'>, extensionUri: vscode.Uri, page: PageSpec): string {
  return buildWebviewHtml({
    cspSource: webview.cspSource,
    nonce: createNonce(),
    scriptUri: webview.asWebviewUri(childUri(extensionUri, `dist/webview/${page.script}.js`)).toString(),
    styleUris: page.styles.map((style) => webview.asWebviewUri(childUri(extensionUri, `media/${style}`)).toString()),
    title: page.title,
    lang: page.lang,
    view: page.script,
  });
}
