/**
 * A tiny DOM builder: every string becomes a text node or an attribute value, never HTML, so
 * nothing user-provided (target names, notes, error text) can inject markup or script.
 */

/** Something that can be a child: nodes, text, numbers, nested lists; falsy values are skipped. */
export type Child = Node | string | number | null | undefined | false | Child[];

/** Attributes: strings/numbers set as attributes, booleans toggle, functions on `on*` keys listen. */
export type Attrs = Record<string, string | number | boolean | null | undefined | ((e: Event) => void)>;

function append(parent: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(parent, c);
    else
      parent.appendChild(
        typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c,
      );
  }
}

function setAttrs(el: Element, attrs: Attrs | null | undefined): void {
  if (!attrs) return;
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (k === 'href' && typeof v === 'string' && !/^(#|\/|https?:)/.test(v)) continue;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

/** Creates an HTML element with attributes and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Creates an SVG element with attributes and children. */
export function s(tag: string, attrs?: Attrs | null, ...children: Child[]): SVGElement {
  const el = document.createElementNS(SVG_NS, tag) as SVGElement;
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

/** Removes every child of `el` and appends `children`. */
export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** A link to a hash route, with each path part URL-encoded. */
export function routeLink(parts: string[], ...children: Child[]): HTMLAnchorElement {
  return h('a', { href: `#/${parts.map(encodeURIComponent).join('/')}` }, ...children);
}

/** A table head: one row of column headers (`<th scope="col">`). */
export function tableHead(columns: readonly string[]): HTMLTableSectionElement {
  return h(
    'thead',
    null,
    h(
      'tr',
      null,
      columns.map((c) => h('th', { scope: 'col' }, c)),
    ),
  );
}

/** A labelled form control: `<label>text <control></label>`. */
export function labelled(text: string, control: HTMLElement): HTMLLabelElement {
  return h('label', { class: 'field' }, h('span', null, text), control);
}

/** A message box for errors and empty states (role=alert for errors). */
export function notice(kind: 'error' | 'info', text: string): HTMLElement {
  return h('p', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}
