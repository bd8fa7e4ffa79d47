// Elements made from data without HTML parsing: text is always text, so nothing a run holds (an agent's
// summary, an Event's message) can become markup or script.

/** An element: `attrs` set as attributes (`on*` functions as listeners), `children` appended as nodes or text. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false || value === null) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** Replaces what `el` holds. */
export function show(el, ...children) {
  el.replaceChildren(...children.flat().filter((c) => c !== undefined && c !== null && c !== false));
}

/** How long ago an RFC 3339 time was, as kubectl says it (45s, 12m, 3h, 2d). */
export function age(at, now = Date.now()) {
  const t = Date.parse(at ?? '');
  if (Number.isNaN(t)) return '';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}

/** A cost in US dollars, as status holds it (a decimal string). */
export const usd = (cost) => (cost === undefined || cost === null || cost === '' ? '' : `$${cost}`);

const SVG = 'http://www.w3.org/2000/svg';

/** An SVG element: its attributes set as given (presentation attributes, never a style). */
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs))
    if (value !== undefined) el.setAttribute(key, String(value));
  for (const child of children.flat()) if (child) el.append(child instanceof Node ? child : String(child));
  return el;
}
