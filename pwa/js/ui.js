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

/**
 * mount replaces the content of the main region. A new view starts at the
 * top of the page: with large text the page may be scrolled down from the
 * view before, which would leave the new heading under the sticky top bar.
 */
export function mount(...nodes) {
  const main = document.getElementById('main');
  main.replaceChildren(...nodes.flat().filter((n) => n !== null && n !== undefined && n !== false));
  window.scrollTo(0, 0);
  return main;
}

/** field wraps a labelled form control. */
export function field(id, label, control, hint) {
  const group = control.classList.contains('time24');
  if (group) {
    // A group of controls: the label names the group, its tap goes to the first.
    control.setAttribute('aria-labelledby', id + '-label');
    control.querySelector('select').id = id;
  } else {
    control.id = id;
  }
  if (hint) control.setAttribute('aria-describedby', id + '-hint');
  return h('div', { class: 'field' },
    h('label', { for: id, id: id + '-label', text: label }),
    control,
    hint ? h('p', { class: 'hint', id: id + '-hint', text: hint }) : null);
}

/**
 * wholeNumber reads a number input: null when it is empty, the whole
 * number it holds when that is from lo to hi, else NaN (a fraction, a
 * number out of range, or text that is no number, which the input reports
 * as empty but flags as badInput).
 */
export function wholeNumber(input, lo, hi) {
  if (input.validity.badInput) return NaN;
  if (input.value === '') return null;
  const v = Number(input.value);
  return Number.isInteger(v) && v >= lo && v <= hi ? v : NaN;
}

/**
 * toast shows a short message above the tab bar; an optional action button
 * (e.g. Undo). While it shows, the page gets room below its last control
 * (body.has-toast) and taps outside the action go through to the page.
 * Navigating to another screen clears it (clearToast).
 */
export function toast(message, action, ms = 5000) {
  const el = document.getElementById('toast');
  if (!el) return;
  el.replaceChildren(h('span', { text: message }));
  if (action) {
    el.append(h('button', {
      class: 'btn link', type: 'button', 'data-testid': action.testid || 'toast-action', text: action.label,
      onclick: () => { clearToast(); action.run(); },
    }));
  }
  el.hidden = false;
  document.body.classList.add('has-toast');
  clearTimeout(Number(el.dataset.timer || 0));
  el.dataset.timer = String(setTimeout(clearToast, ms));
}

/** clearToast hides the toast at once. */
export function clearToast() {
  const el = document.getElementById('toast');
  if (!el) return;
  clearTimeout(Number(el.dataset.timer || 0));
  el.hidden = true;
  el.replaceChildren();
  document.body.classList.remove('has-toast');
}

/**
 * notice shows a message in the page flow above the screen's content (e.g.
 * "saved" after finishing a session), so it never covers a control. An
 * empty message removes it.
 */
export function notice(message) {
  const el = document.getElementById('notice');
  if (!el) return;
  el.textContent = message || '';
  el.hidden = !message;
}

/**
 * timeControl makes a 24-hour time control: two selects, hour and minute,
 * so no browser shows AM/PM. The group element carries the testid (the
 * selects add -hour and -minute) and a value property in "HH:MM" form, read
 * and write. Put it in field(id, …): the label then names the group and
 * points at the hour. step: minutes between the offered minutes; a value off
 * the step is offered as well.
 */
export function timeControl(value, { testid, step = 1, hourLabel, minuteLabel } = {}) {
  const pad = (n) => String(n).padStart(2, '0');
  const [hh, mm] = /^\d{2}:\d{2}$/.test(value || '') ? value.split(':').map(Number) : [17, 0];
  const hours = h('select', { 'data-testid': testid + '-hour', 'aria-label': hourLabel },
    Array.from({ length: 24 }, (_, n) => h('option', { value: pad(n), text: pad(n), selected: n === hh })));
  const mins = [];
  for (let n = 0; n < 60; n += step) mins.push(n);
  if (!mins.includes(mm)) {
    mins.push(mm);
    mins.sort((a, b) => a - b);
  }
  const minutes = h('select', { 'data-testid': testid + '-minute', 'aria-label': minuteLabel },
    mins.map((n) => h('option', { value: pad(n), text: pad(n), selected: n === mm })));
  const group = h('div', { class: 'time24', role: 'group', 'data-testid': testid },
    hours, h('span', { class: 'time-sep', 'aria-hidden': 'true', text: ':' }), minutes);
  Object.defineProperty(group, 'value', {
    get: () => `${hours.value}:${minutes.value}`,
    set: (v) => {
      const m = /^(\d{2}):(\d{2})$/.exec(String(v));
      if (!m) return;
      hours.value = m[1];
      if (![...minutes.options].some((o) => o.value === m[2])) minutes.append(h('option', { value: m[2], text: m[2] }));
      minutes.value = m[2];
    },
  });
  return group;
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

/** moodPicker draws five faces as a radio group; onPick gets 1–5. */
export function moodPicker(t, prefix, onPick, selected) {
  const group = h('div', { class: 'moods', role: 'radiogroup', 'aria-labelledby': prefix + '-h' });
  for (let n = 1; n <= 5; n++) {
    group.append(h('button', {
      type: 'button', role: 'radio', class: 'mood', 'aria-checked': String(selected === n), 'aria-label': t('mood.' + n),
      'data-testid': `${prefix}-${n}`, id: `${prefix}-${n}`,
      onclick: (ev) => {
        for (const b of group.children) b.setAttribute('aria-checked', String(b === ev.currentTarget));
        onPick(n);
      },
    }, face(n), h('span', { class: 'w', text: t('mood.' + n) })));
  }
  return group;
}
