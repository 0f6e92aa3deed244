// The webview HTML shell, built in plain Node: src/vscode/webviewHtml.ts imports `vscode` for types only.
import * as assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { buildWebviewHtml, contentSecurityPolicy, createNonce, renderWebviewHtml, webviewOptions, webviewResourceRoots } from '../../src/vscode/webviewHtml';

/** Just enough of vscode.Uri for the module: path, with(), toString(). */
class FakeUri {
  constructor(readonly scheme: string, readonly authority: string, readonly path: string) {}
  with(change: { path?: string }): FakeUri {
    return new FakeUri(this.scheme, this.authority, change.path ?? this.path);
  }
  toString(): string {
    return `${this.scheme}://${this.authority}${this.path}`;
  }
}

const extensionUri = new FakeUri('file', '', '/ext/qwen-router') as unknown as vscode.Uri;
const webview = {
  cspSource: 'https://webview.test',
  asWebviewUri: (uri: vscode.Uri) => new FakeUri('https', 'webview.test', uri.path) as unknown as vscode.Uri,
};

function cspOf(html: string): Map<string, string> {
  const match = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(match, 'no CSP meta tag');
  const directives = new Map<string, string>();
  for (const part of match[1].replace(/&#39;/g, "'").split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) directives.set(name, values.join(' '));
  }
  return directives;
}

describe('webview HTML and CSP (src/vscode/webviewHtml)', () => {
  it("denies everything by default and allows scripts only by this render's nonce", () => {
    const html = renderWebviewHtml(webview, extensionUri, { script: 'chat', styles: ['codicons/codicon.css', 'chat.css'], title: 'Chat', lang: 'zh-cn' });
    const csp = cspOf(html);
    assert.equal(csp.get('default-src'), "'none'");
    const nonce = /'nonce-([^']+)'/.exec(csp.get('script-src') ?? '')?.[1];
    assert.ok(nonce, 'script-src has no nonce');
    assert.equal(csp.get('script-src'), `'nonce-${nonce}'`);
    assert.equal(csp.get('style-src'), 'https://webview.test');
    assert.equal(csp.get('font-src'), 'https://webview.test');
    assert.equal(csp.get('img-src'), 'https://webview.test data:');
    for (const [name, value] of csp) assert.ok(!/unsafe-inline|unsafe-eval|\*/.test(value), `${name} ${value}`);

    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1);
    assert.match(scripts[0][1], new RegExp(`nonce="${nonce.replace(/[+/=]/g, (c) => `\\${c}`)}"`));
    assert.match(scripts[0][1], /src="https:\/\/webview\.test\/ext\/qwen-router\/dist\/webview\/chat\.js"/);
    assert.equal(scripts[0][2].trim(), '', 'inline script content');
    assert.doesNotMatch(html, /\son[a-z]+\s*=/i, 'inline event handler');
    assert.doesNotMatch(html, /style="/, 'inline style');
    assert.match(html, /href="https:\/\/webview\.test\/ext\/qwen-router\/media\/codicons\/codicon\.css"/);
    assert.match(html, /<html lang="zh-cn">/);
  });

  it('uses a fresh 128-bit nonce from the CSPRNG on every render', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const nonce = createNonce();
      assert.equal(Buffer.from(nonce, 'base64').length, 16);
      assert.match(nonce, /^[A-Za-z0-9+/]+=*$/);
      seen.add(nonce);
    }
    assert.equal(seen.size, 200);
    const first = renderWebviewHtml(webview, extensionUri, { script: 'stats', styles: [], title: 't', lang: 'en' });
    const second = renderWebviewHtml(webview, extensionUri, { script: 'stats', styles: [], title: 't', lang: 'en' });
    assert.notEqual(cspOf(first).get('script-src'), cspOf(second).get('script-src'));
  });

  it('escapes what it interpolates', () => {
    const html = buildWebviewHtml({ cspSource: 'x', nonce: 'n', scriptUri: 'a"b', styleUris: ['c"><script>alert(1)</script>'], title: '</title><script>alert(2)</script>', lang: 'en" onload="x', view: 'chat' });
    assert.equal([...html.matchAll(/<script\b/g)].length, 1);
    assert.doesNotMatch(html, /onload="/);
    assert.match(html, /&lt;\/title&gt;/);
  });

  it('limits local resources to media/ and dist/webview/, with scripts on and command URIs off', () => {
    assert.deepEqual(webviewResourceRoots(extensionUri).map(String), ['file:///ext/qwen-router/media', 'file:///ext/qwen-router/dist/webview']);
    const options = webviewOptions(extensionUri);
    assert.equal(options.enableScripts, true);
    assert.equal(options.enableCommandUris, false);
    assert.equal(options.localResourceRoots?.length, 2);
  });

  it('keeps the policy string stable for a given source and nonce', () => {
    assert.equal(
      contentSecurityPolicy('https://s', 'abc'),
      "default-src 'none'; script-src 'nonce-abc'; style-src https://s; font-src https://s; img-src https://s data:; connect-src 'none'; frame-src 'none'; form-action 'none'; base-uri 'none'",
    );
  });
});
