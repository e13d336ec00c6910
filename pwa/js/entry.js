// Manual entry of a session done without the timer (/log), and editing or
// deleting a saved one (/session/<id>). Edits write only the fields that
// changed, each with a fresh stamp, so concurrent edits on other devices to
// other fields survive the merge.

import { h, mount, field, uuid, toast } from './ui.js';
import { change, diff, values as readValues } from './model.js';
import { isDeleted } from './merge.js';
import { moodPicker } from './timer.js';
import { localParts, zonedTime } from './stats.js';
import { PROTOCOLS } from './timerlogic.js';

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
    ['4x4', '3x3', 'tabata', 'custom'].map((p) => h('option', { value: p, text: t('protocol.' + p), selected: (prev.protocol || '4x4') === p })));
  const date = h('input', { type: 'date', required: true, 'data-testid': 'entry-date', value: `${lp.y}-${pad(lp.m)}-${pad(lp.d)}` });
  const time = h('input', { type: 'time', required: true, 'data-testid': 'entry-time', value: `${pad(lp.hh)}:${pad(lp.mm)}` });
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
      Array.from({ length: 15 }, (_, k) => h('option', { value: k + 6, text: String(k + 6), selected: iv.rpe === k + 6 })));
    const hr = h('input', { type: 'number', inputmode: 'numeric', min: 40, max: 240, id: `entry-hr-${i}`, 'data-testid': `entry-hr-${i}`, 'aria-label': t('entry.intervalHr', { n: i + 1 }), placeholder: t('entry.hrShort'), value: iv.hrPeak ?? '' });
    rows.push({ rpe, hr });
    rowsBox.append(h('div', { class: 'interval-row' }, h('span', { class: 'ivn', text: t('entry.interval', { n: i + 1 }) }), rpe, hr));
  };
  const initial = prev.intervals && prev.intervals.length ? prev.intervals : Array.from({ length: Math.min(PROTOCOLS['4x4'].reps, 4) }, () => ({}));
  initial.forEach(addRow);

  const errors = h('p', { class: 'error', role: 'alert', 'data-testid': 'entry-error' });
  const form = h('form', {
    class: 'form', novalidate: true,
    onsubmit: async (ev) => {
      ev.preventDefault();
      errors.textContent = '';
      const [y, mo, d] = date.value.split('-').map(Number);
      const [hh, mi] = (time.value || '00:00').split(':').map(Number);
      const when = new Date(y && mo && d ? zonedTime(y, mo, d, hh || 0, mi || 0, tz) : NaN);
      const dur = Number(duration.value);
      if (Number.isNaN(when.getTime())) {
        errors.textContent = t('entry.badDate');
        return;
      }
      if (duration.value === '' || !Number.isFinite(dur) || dur < 0 || dur > 300) {
        errors.textContent = t('entry.badDuration');
        return;
      }
      const intervals = [];
      for (const r of rows) {
        if (!r.rpe.value) continue;
        const iv = { rpe: Number(r.rpe.value) };
        const hv = Number(r.hr.value);
        if (r.hr.value !== '') {
          if (!Number.isInteger(hv) || hv < 40 || hv > 240) {
            errors.textContent = t('entry.badHr');
            return;
          }
          iv.hrPeak = hv;
        }
        intervals.push(iv);
      }
      const next = {
        protocol: protocol.value,
        startedAt: keepSameInstant(prev.startedAt, when),
        durationMin: Math.round(dur),
        intervals,
        sessionRpe: srpe.value === '' ? null : Number(srpe.value),
        moodBefore,
        moodAfter,
        note: note.value.trim() ? note.value.trim() : null,
      };
      const changed = doc ? diff(prev, next) : Object.fromEntries(Object.entries(next).filter(([, v]) => v !== null));
      try {
        if (Object.keys(changed).length) await ctx.save(change(doc ? doc.id : uuid(), 'session', changed, ctx.clock.stamp));
      } catch (e) {
        errors.textContent = t('finish.saveFailed', { reason: e.message });
        return;
      }
      toast(t(doc ? 'entry.updated' : 'finish.saved'));
      ctx.navigate('/history', true);
    },
  },
  field('entry-protocol', t('entry.protocol'), protocol),
  h('div', { class: 'row2' }, field('entry-date', t('entry.date'), date), field('entry-time', t('entry.time'), time)),
  field('entry-duration', t('entry.duration'), duration),
  h('fieldset', { class: 'card' },
    h('legend', { text: t('entry.intervals') }),
    h('p', { class: 'hint', text: t('entry.intervalsHint') }),
    rowsBox,
    h('button', { type: 'button', class: 'btn ghost small', 'data-testid': 'entry-add-interval', text: t('entry.addInterval'), onclick: () => addRow() })),
  field('entry-session-rpe', t('finish.sessionRpe'), srpe),
  h('section', { class: 'card' },
    h('h2', { class: 'label', id: 'entry-mood-before-h', text: t('timer.moodBefore') }),
    moodPicker(t, 'entry-mood-before', (n) => { moodBefore = n; }, moodBefore)),
  h('section', { class: 'card' },
    h('h2', { class: 'label', id: 'entry-mood-after-h', text: t('finish.moodAfter') }),
    moodPicker(t, 'entry-mood-after', (n) => { moodAfter = n; }, moodAfter)),
  field('entry-note', t('finish.note'), note),
  errors,
  h('button', { type: 'submit', class: 'btn primary huge', 'data-testid': 'entry-save', id: 'entry-save', text: t('finish.save') }),
  doc ? h('button', {
    type: 'button', class: 'btn danger', 'data-testid': 'entry-delete', id: 'entry-delete', text: t('history.delete'),
    onclick: async () => {
      await deleteWithUndo(ctx, doc.id);
      ctx.navigate('/history', true);
    },
  }) : null);
  mount(h('h1', { text: t(doc ? 'entry.editTitle' : 'entry.newTitle') }), form);
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

/** deleteWithUndo marks a session deleted and offers to undo it. */
export async function deleteWithUndo(ctx, id) {
  const { t } = ctx;
  await ctx.save(change(id, 'session', { deleted: true }, ctx.clock.stamp));
  toast(t('history.deleted'), {
    label: t('history.undo'),
    testid: 'undo-delete',
    run: () => ctx.save(change(id, 'session', { deleted: false }, ctx.clock.stamp)),
  }, 8000);
}
