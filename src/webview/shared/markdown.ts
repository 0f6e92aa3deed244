/**
 * Answers as markdown, made safe twice: markdown-it with `html: false` turns any HTML in an answer
 * into visible text, then DOMPurify removes anything executable that could still come through
 * (links with script URLs, attributes). Inline styles are dropped too: the CSP would block them.
 * Code blocks get a toolbar (Copy, Insert at Cursor) whose buttons carry data-action attributes
 * for the view's delegated click listener.
 */
import DOMPurify from 'dompurify';
import MarkdownIt from 'markdown-it';
import { button, h } from './dom';

const markdown = new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: false });

const SANITIZE = {
  RETURN_DOM_FRAGMENT: true as const,
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'option', 'iframe', 'frame', 'object', 'embed', 'base', 'link', 'meta'],
  FORBID_ATTR: ['style', 'srcset', 'action', 'formaction', 'xlink:href'],
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|#)/i,
  ALLOW_DATA_ATTR: false,
};

export interface CodeBlockLabels {
  copy: string;
  insert: string;
}

/** Renders markdown into a sanitized fragment, with code-block toolbars. */
export function renderMarkdown(source: string, labels: CodeBlockLabels): DocumentFragment {
  const fragment = DOMPurify.sanitize(markdown.render(source), SANITIZE);
  for (const pre of Array.from(fragment.querySelectorAll('pre'))) {
    const code = pre.querySelector('code');
    const language = /(?:^|\s)language-([\w#+.-]+)/.exec(code?.className ?? '')?.[1] ?? '';
    const toolbar = h('div', { className: 'code-toolbar' }, [
      h('span', { className: 'code-language', text: language }),
      button({ action: 'copy-code', iconName: 'copy', title: labels.copy }),
      button({ action: 'insert-code', iconName: 'insert', title: labels.insert }),
    ]);
    const block = h('div', { className: 'code-block' });
    pre.replaceWith(block);
    block.append(toolbar, pre);
  }
  for (const link of Array.from(fragment.querySelectorAll('a'))) {
    link.setAttribute('rel', 'noopener noreferrer');
    if (link.href) link.title = link.href;
  }
  return fragment;
}

/** The code of the block a toolbar button belongs to. */
export function codeOfBlock(buttonElement: Element): string | undefined {
  const block = buttonElement.closest('.code-block');
  const code = block?.querySelector('pre code') ?? block?.querySelector('pre');
  return code?.textContent ?? undefined;
}
