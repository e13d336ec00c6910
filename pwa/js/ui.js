// Small DOM helpers shared by the screens. No framework: screens build
// elements with h() and replace the content of <main>.

/**
 * h creates an element. attrs: class, text, on<Event> handlers, boolean
 * properties (checked, disabled, hidden, selected), anything else becomes an
 * attribute. Children may be strings, nodes, arrays, null or false.
 */
export function h(tag, attrs = {}, ...children) {
  const svg = tag.startsWith('svg:');
  const el = svg
    ? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4))
    : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') el.textContent = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (!svg && (k === 'checked' || k === 'disabled' || k === 'hidden' || k === 'selected' || k === 'value' || k === 'required')) el[k] = v;
    else el.setAttribute(k === 'className' ? 'class' : k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

/** svg creates an SVG element (shorthand for h('svg:' + tag, …)). */
export function svg(tag, attrs, ...children) {
  return h('svg:' + tag, attrs, ...children);
}

/** mount replaces the content of the main region and moves focus there. */
export function mount(...nodes) {
  const main = document.getElementById('main');
  main.replaceChildren(...nodes.flat().filter((n) => n !== null && n !== undefined && n !== false));
  return main;
}

/** field wraps a labelled form control. */
export function field(id, label, control, hint) {
  control.id = id;
  if (hint) control.setAttribute('aria-describedby', id + '-hint');
  return h('div', { class: 'field' },
    h('label', { for: id, text: label }),
    control,
    hint ? h('p', { class: 'hint', id: id + '-hint', text: hint }) : null);
}

/** uuid returns a random RFC 4122 version 4 identifier. */
export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map((v) => v.toString(16).padStart(2, '0')).join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** toast shows a short message; an optional action button (e.g. Undo). */
export function toast(message, action, ms = 6000) {
  const el = document.getElementById('toast');
  if (!el) return;
  el.replaceChildren(h('span', { text: message }));
  if (action) {
    el.append(h('button', {
      class: 'btn link', type: 'button', 'data-testid': action.testid || 'toast-action', text: action.label,
      onclick: () => { el.hidden = true; action.run(); },
    }));
  }
  el.hidden = false;
  clearTimeout(Number(el.dataset.timer || 0));
  el.dataset.timer = String(setTimeout(() => { el.hidden = true; }, ms));
}

/** face draws a 1–5 mood face as inline SVG (1 = very low, 5 = very good). */
export function face(n) {
  const curve = [-9, -5, 0, 5, 9][n - 1] || 0;
  return svg('svg', { viewBox: '0 0 40 40', class: 'face face-' + n, 'aria-hidden': 'true', focusable: 'false' },
    svg('circle', { cx: 20, cy: 20, r: 18, class: 'face-bg' }),
    svg('circle', { cx: 14, cy: 16, r: 2.4, class: 'face-ink' }),
    svg('circle', { cx: 26, cy: 16, r: 2.4, class: 'face-ink' }),
    svg('path', { d: `M12 ${27 - curve / 3} Q20 ${27 + curve} 28 ${27 - curve / 3}`, class: 'face-mouth' }));
}
