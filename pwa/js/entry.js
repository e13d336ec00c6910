// Manual entry of a session done without the timer (/log), and editing or
// deleting a saved one (/session/<id>). Edits write only the fields that
// changed, each with a fresh stamp, so concurrent edits on other devices to
// other fields survive the merge.

import { h, mount, field, moodPicker, timeControl, wholeNumber } from './ui.js';
import { uuid } from './uuid.js';
import { deleteWithUndo } from './actions.js';
import { diff, intervalList, values as readValues } from './model.js';
import { isDeleted } from './merge.js';
import { localParts, zonedTime, PROTOCOLS } from './training.js';
import { ratingSlots } from './timerlogic.js';
import { rpeWords } from './fmt.js';

/** render draws the session form; params[0] is the id when editing. */
export function render(ctx, params) {
  const { t } = ctx;
  const id = params && params[0];
  const tz = ctx.profile().timeZone;
  const doc = id ? ctx.store.get().docs.find((d) => d.id === id && d.type === 'session') : null;
  if (id && (!doc || isDeleted(doc))) {
    mount(h('h1', { text: t('entry.missing') }), h('a', { class: 'btn secondary', href: '/history', text: t('nav.history') }));
    return;
  }
  const prev = doc ? readValues(doc) : {};
  const startMs = prev.startedAt ? Date.parse(prev.startedAt) : Date.now();
  const lp = localParts(startMs, tz);
  const pad = (n) => String(n).padStart(2, '0');

  const protocol = h('select', { 'data-testid': 'entry-protocol' },
    PROTOCOLS.map((p) => h('option', { value: p, text: t('protocol.' + p), selected: (prev.protocol || '4x4') === p })));
  const date = dateSelect(t, `${lp.y}-${pad(lp.m)}-${pad(lp.d)}`, localParts(Date.now(), tz));
  const time = timeControl(`${pad(lp.hh)}:${pad(lp.mm)}`, { testid: 'entry-time', hourLabel: t('time.hour'), minuteLabel: t('time.minute') });
  const duration = h('input', { type: 'number', inputmode: 'numeric', min: 0, max: 300, 'data-testid': 'entry-duration', value: prev.durationMin ?? 35 });
  const srpe = h('select', { 'data-testid': 'entry-session-rpe' },
    h('option', { value: '', text: t('entry.notSet') }),
    Array.from({ length: 11 }, (_, n) => h('option', { value: n, text: `${n} – ${t('srpe.word.' + n)}`, selected: prev.sessionRpe === n })));
  const note = h('textarea', { rows: 3, maxlength: 2000, 'data-testid': 'entry-note' });
  note.value = prev.note || '';
  let moodBefore = prev.moodBefore ?? null;
  let moodAfter = prev.moodAfter ?? null;

  const rowsBox = h('div', { class: 'intervals' });
  const rows = [];
  const addRow = (iv = {}) => {
    const i = rows.length;
    if (i >= 20) return;
    const rpe = h('select', { id: `entry-rpe-${i}`, 'data-testid': `entry-rpe-${i}`, 'aria-label': t('entry.intervalRpe', { n: i + 1 }) },
      h('option', { value: '', text: '–' }),
      Array.from({ length: 15 }, (_, k) => {
        const n = k + 6;
        const words = rpeWords(t, n);
        return h('option', { value: n, text: words ? `${n} – ${words}` : String(n), selected: iv.rpe === n });
      }));
    const hr = h('input', { type: 'number', inputmode: 'numeric', min: 40, max: 240, id: `entry-hr-${i}`, 'data-testid': `entry-hr-${i}`, 'aria-label': t('entry.intervalHr', { n: i + 1 }), placeholder: t('entry.hrShort'), value: iv.hrPeak ?? '' });
    rows.push({ rpe, hr });
    rowsBox.append(h('div', { class: 'interval-row' }, h('span', { class: 'ivn', text: t('entry.interval', { n: i + 1 }) }), rpe, hr));
  };
  // As many rows as the protocol has intervals (a custom session: four),
  // and, for a new entry, again when another protocol is chosen while no
  // row is filled in.
  const repsOf = (p) => ratingSlots(p) ?? 4;
  const initial = prev.intervals && prev.intervals.length ? prev.intervals : Array.from({ length: repsOf(protocol.value) }, () => ({}));
  initial.forEach((iv) => addRow(iv));
  if (!doc) {
    protocol.addEventListener('change', () => {
      if (rows.some((r) => r.rpe.value || r.hr.value)) return;
      rows.length = 0;
      rowsBox.replaceChildren();
      for (let i = 0; i < repsOf(protocol.value); i++) addRow();
    });
  }

  const errors = h('p', { class: 'error', role: 'alert', 'data-testid': 'entry-error', id: 'entry-error' });
  // fail says what is wrong and takes the user to the control at fault.
  const fail = (control, key) => {
    errors.textContent = t(key);
    control.setAttribute('aria-invalid', 'true');
    control.setAttribute('aria-describedby', 'entry-error');
    control.focus({ preventScroll: true });
    control.scrollIntoView({ block: 'center' });
  };
  const form = h('form', {
    class: 'form', novalidate: true,
    onsubmit: async (ev) => {
      ev.preventDefault();
      errors.textContent = '';
      for (const el of form.querySelectorAll('[aria-invalid]')) {
        el.removeAttribute('aria-invalid');
        el.removeAttribute('aria-describedby');
      }
      const [y, mo, d] = date.value.split('-').map(Number);
      const [hh, mi] = (time.value || '00:00').split(':').map(Number);
      const when = new Date(y && mo && d ? zonedTime(y, mo, d, hh || 0, mi || 0, tz) : NaN);
      const dur = Number(duration.value);
      if (Number.isNaN(when.getTime())) {
        fail(date, 'entry.badDate');
        return;
      }
      if (duration.value === '' || !Number.isFinite(dur) || dur < 0 || dur > 300) {
        fail(duration, 'entry.badDuration');
        return;
      }
      // Each row keeps its place: one with a heart rate and no rating
      // is an interval done but not rated.
      const intervals = [];
      for (const [i, r] of rows.entries()) {
        // What the form does not show (a sensor's average and time in zone) stays.
        const { hrAvg, inZoneSec } = (prev.intervals && prev.intervals[i]) || {};
        const iv = { ...(hrAvg != null && { hrAvg }), ...(inZoneSec != null && { inZoneSec }) };
        if (r.rpe.value) iv.rpe = Number(r.rpe.value);
        const hv = wholeNumber(r.hr, 40, 240);
        if (Number.isNaN(hv)) {
          fail(r.hr, 'entry.badHr');
          return;
        }
        if (hv != null) iv.hrPeak = hv;
        intervals.push(iv);
      }
      const next = {
        protocol: protocol.value,
        startedAt: keepSameInstant(prev.startedAt, when),
        durationMin: Math.round(dur),
        intervals: intervalList(intervals),
        sessionRpe: srpe.value === '' ? null : Number(srpe.value),
        moodBefore,
        moodAfter,
        note: note.value.trim() ? note.value.trim() : null,
      };
      const changed = doc ? diff(prev, next) : Object.fromEntries(Object.entries(next).filter(([, v]) => v !== null));
      // Deleted on another device while this form was open: saving the
      // user's changes brings the session back, and says so.
      const now = doc && ctx.store.get().docs.find((d) => d.id === doc.id);
      const restored = !!now && isDeleted(now) && Object.keys(changed).length > 0;
      if (restored) changed.deleted = false;
      try {
        if (Object.keys(changed).length) await ctx.save(doc ? doc.id : uuid(), 'session', changed);
      } catch (e) {
        errors.textContent = t('finish.saveFailed', { reason: e.message });
        return;
      }
      ctx.navigate('/history', true, t(restored ? 'entry.restored' : doc ? 'entry.updated' : 'finish.saved'));
    },
  },
  field('entry-protocol', t('entry.protocol'), protocol),
  // The date on a row of its own: "søndag 13. september 2026" is long.
  field('entry-date', t('entry.date'), date),
  field('entry-time', t('entry.time'), time),
  field('entry-duration', t('entry.duration'), duration),
  h('fieldset', { class: 'card' },
    h('legend', { text: t('entry.intervals') }),
    h('p', { class: 'hint', text: t('entry.intervalsHint') }),
    rowsBox,
    h('button', { type: 'button', class: 'btn ghost small', 'data-testid': 'entry-add-interval', text: t('entry.addInterval'), onclick: () => addRow() })),
  field('entry-session-rpe', t('finish.sessionRpe'), srpe),
  h('section', { class: 'card' },
    h('h2', { class: 'label', id: 'entry-mood-before-h', text: t('entry.moodBefore') }),
    moodPicker(t, 'entry-mood-before', (n) => { moodBefore = n; }, moodBefore)),
  h('section', { class: 'card' },
    h('h2', { class: 'label', id: 'entry-mood-after-h', text: t('entry.moodAfter') }),
    moodPicker(t, 'entry-mood-after', (n) => { moodAfter = n; }, moodAfter)),
  field('entry-note', t('finish.note'), note),
  errors,
  h('button', { type: 'submit', class: 'btn primary huge', 'data-testid': 'entry-save', id: 'entry-save', text: t('finish.save') }),
  doc ? h('button', {
    type: 'button', class: 'btn danger apart', 'data-testid': 'entry-delete', id: 'entry-delete', text: t('history.delete'),
    onclick: async () => {
      await deleteWithUndo(ctx, doc.id, () => ctx.navigate('/history', true));
    },
  }) : null);
  mount(h('h1', { text: t(doc ? 'entry.editTitle' : 'entry.newTitle') }), form);
}

// How many days back the date choice reaches for a new entry.
const DAYS_BACK = 90;

/**
 * dateSelect offers today, yesterday and the days before by name in the
 * app's language (a date input would follow the browser's locale, e.g.
 * 11/23/2026). Values are "YYYY-MM-DD"; a value further back (an old session
 * being edited) is offered too.
 */
function dateSelect(t, value, today) {
  const pad = (n) => String(n).padStart(2, '0');
  const fmt = new Intl.DateTimeFormat(t.locale, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
  const options = [];
  for (let i = 0; i < DAYS_BACK; i++) {
    const d = new Date(Date.UTC(today.y, today.m - 1, today.d - i));
    const ymd = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
    const name = i === 0 ? t('date.today') : i === 1 ? t('date.yesterday') : fmt.format(d);
    options.push(h('option', { value: ymd, text: name, selected: ymd === value }));
  }
  if (!options.some((o) => o.value === value)) {
    const [y, m, d] = value.split('-').map(Number);
    options.push(h('option', { value, text: fmt.format(new Date(Date.UTC(y, m - 1, d))), selected: true }));
  }
  return h('select', { 'data-testid': 'entry-date' }, options);
}

// Editing the date/time fields keeps the original instant when they were
// not changed (the minute-level inputs would otherwise drop seconds).
function keepSameInstant(prevIso, when) {
  if (prevIso) {
    const p = new Date(prevIso);
    if (Math.floor(p.getTime() / 60000) === Math.floor(when.getTime() / 60000)) return prevIso;
  }
  return when.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
