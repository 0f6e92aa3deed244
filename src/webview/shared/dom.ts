/** Tiny DOM helpers: elements built with properties (never HTML strings), no inline handlers. */

type Child = Node | string | null | undefined | false;

export interface ElementProps {
  className?: string;
  text?: string;
  title?: string;
  /** data-* attributes, without the prefix. */
  data?: Record<string, string>;
  /** Other attributes (aria-*, role, type...). */
  attrs?: Record<string, string>;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: ElementProps = {}, children: Child[] = []): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.className) element.className = props.className;
  if (props.text !== undefined) element.textContent = props.text;
  if (props.title) element.title = props.title;
  if (props.data) for (const [key, value] of Object.entries(props.data)) element.dataset[key] = value;
  if (props.attrs) for (const [key, value] of Object.entries(props.attrs)) element.setAttribute(key, value);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child);
  }
  return element;
}

/** A codicon glyph (aria-hidden: the button around it carries the label). */
export function icon(name: string, extra = ''): HTMLElement {
  return h('span', { className: `codicon codicon-${name}${extra ? ` ${extra}` : ''}`, attrs: { 'aria-hidden': 'true' } });
}

/** A button with an icon and/or a label; `action` is read by a delegated click listener. */
export function button(options: { action: string; label?: string; iconName?: string; title?: string; className?: string; data?: Record<string, string> }): HTMLButtonElement {
  const classes = ['btn', options.className, options.label ? '' : 'icon-only'].filter(Boolean).join(' ');
  return h('button', {
    className: classes,
    title: options.title ?? options.label,
    data: { action: options.action, ...options.data },
    attrs: { type: 'button', 'aria-label': options.title ?? options.label ?? options.action },
  }, [options.iconName ? icon(options.iconName) : null, options.label ? h('span', { text: options.label }) : null]);
}

/** The element with a data-action, from a click target up to (not past) the root. */
export function actionTarget(event: Event, root: HTMLElement): HTMLElement | undefined {
  let node = event.target instanceof Element ? event.target : null;
  while (node && node !== root) {
    if (node instanceof HTMLElement && node.dataset.action) return node;
    node = node.parentElement;
  }
  return undefined;
}

/** Runs the handler named by the clicked element's data-action (event delegation on the root). */
export function handleActionClicks(root: HTMLElement, handlers: Record<string, (target: HTMLElement) => void>): void {
  root.addEventListener('click', (event) => {
    const target = actionTarget(event, root);
    const action = target?.dataset.action;
    if (!target || !action || !Object.prototype.hasOwnProperty.call(handlers, action)) return;
    if (target instanceof HTMLButtonElement && target.disabled) return;
    handlers[action](target);
  });
}

export function clear(element: Element): void {
  element.replaceChildren();
}
