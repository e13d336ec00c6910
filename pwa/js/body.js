// Body and fitness: body measurements on a date (the synced "measurement"
// documents, entered here or by the trainer) and fitness age from VO2max,
// shown as a trend against the real age, the change since the first
// measurement first. The patient can hide fitness age on this device.

import { h, mount, field } from './ui.js';
import { measurements as listMeasurements } from './model.js';
import { fitnessAge } from './training.js';
import { line } from './charts.js';
import { shortDate, fitnessYears as years } from './fmt.js';
import { uuid } from './uuid.js';

/** live: re-render when documents change (a trainer's entry arrives). */
export const live = true;

// HIDDEN_KEY keeps "hide fitness age" on this device (cleared at sign-out).
const HIDDEN_KEY = 'fitnessAgeHidden';

// The inputs of a measurement: field name, input attributes, whole number.
const INPUTS = [
  ['vo2max', { min: 10, max: 90, step: 0.1 }, false],
  ['restingHr', { min: 25, max: 150, step: 1 }, true],
  ['weightKg', { min: 20, max: 400, step: 0.1 }, false],
  ['waistCm', { min: 40, max: 250, step: 0.5 }, false],
  ['systolic', { min: 60, max: 260, step: 1 }, true],
  ['diastolic', { min: 30, max: 160, step: 1 }, true],
];

/** render draws the body screen. */
export function render(ctx) {
  const { t } = ctx;
  const all = listMeasurements(ctx.store.get().docs);
  mount(
    h('h1', { text: t('body.title') }),
    fitnessCard(ctx, all),
    entryForm(ctx),
    all.length ? historyCard(t, all) : null,
  );
}

function fitnessCard(ctx, all) {
  const { t } = ctx;
  const card = h('section', { class: 'card', 'aria-labelledby': 'b-fit', 'data-testid': 'fitness-card' },
    h('h2', { id: 'b-fit', text: t('body.fitnessAge') }));
  if (localStorage.getItem(HIDDEN_KEY)) {
    card.append(h('p', { class: 'hint', text: t('body.hiddenText') }),
      h('button', { type: 'button', class: 'btn secondary', 'data-testid': 'fitness-show', text: t('body.show'),
        onclick: () => { localStorage.removeItem(HIDDEN_KEY); render(ctx); } }));
    return card;
  }
  const profile = ctx.profile();
  // The card's buttons share one wrapping row, so stacked on a phone they
  // keep a gap between them.
  const actions = h('div', { class: 'card-actions', 'data-testid': 'fitness-actions' });
  const withVO2 = all.filter((m) => typeof m.vo2max === 'number');
  if (!profile.sex) {
    card.append(h('p', { class: 'lead', 'data-testid': 'fitness-age-missing', text: t('body.needSex') }));
    actions.append(h('a', { class: 'btn secondary', href: '/settings', text: t('body.toSettings') }));
  } else if (!withVO2.length) {
    card.append(h('p', { class: 'lead', 'data-testid': 'fitness-age-missing', text: t('body.needVO2') }));
  } else {
    const points = withVO2.map((m) => ({ m, fa: fitnessAge(profile.sex, m.vo2max) }));
    const first = points[0];
    const last = points[points.length - 1];
    const tz = 'UTC'; // dates without a time: read as written
    const change = Math.round(last.fa.years) - Math.round(first.fa.years);
    if (points.length > 1 && !first.fa.beyond && !last.fa.beyond) {
      const key = change < 0 ? 'body.younger' : change > 0 ? 'body.older' : 'body.same';
      card.append(h('p', { class: 'lead', 'data-testid': 'fitness-age-change',
        text: t(key, { n: Math.abs(change), date: shortDate(t, first.m.date, tz) }) }));
    }
    const age = profile.birthYear && last.m.date ? Number(last.m.date.slice(0, 4)) - profile.birthYear : 0;
    card.append(h('p', { class: points.length > 1 ? '' : 'lead', 'data-testid': 'fitness-age',
      text: t('body.now', { age: years(t, last.fa) }) + (age > 0 ? ' ' + t('body.realAge', { n: age }) : '') }));
    if (points.length > 1) {
      card.append(line(points.map((p) => ({ label: shortDate(t, p.m.date, tz), value: Math.round(p.fa.years) })),
        { title: t('body.fitnessAge'), testid: 'chart-fitness-age', min: 20, max: 80, fmt: (v) => t('body.years', { n: v }) }));
    }
    card.append(h('p', { class: 'hint', text: t('body.reference') }));
  }
  actions.append(h('button', { type: 'button', class: 'btn secondary', 'data-testid': 'fitness-hide', text: t('body.hide'),
    onclick: () => { localStorage.setItem(HIDDEN_KEY, '1'); render(ctx); } }));
  card.append(actions);
  return card;
}

// today returns the local date as "YYYY-MM-DD".
function today() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function entryForm(ctx) {
  const { t } = ctx;
  const date = h('input', { type: 'date', value: today(), max: today(), 'data-testid': 'm-date' });
  const source = h('select', { 'data-testid': 'm-vo2maxSource' },
    ['test', 'watch', 'calculator'].map((s) => h('option', { value: s, text: t('body.source.' + s) })));
  const inputs = INPUTS.map(([name, attrs]) => h('input', { type: 'number', inputmode: 'decimal', ...attrs, 'data-testid': 'm-' + name }));
  const error = h('p', { class: 'error', role: 'alert', 'data-testid': 'm-error' });
  const status = h('p', { class: 'hint', role: 'status', 'data-testid': 'm-status' });
  const fields = INPUTS.map(([name, attrs], i) => field('m-' + name, t('body.f.' + name), inputs[i],
    t('body.range', { lo: attrs.min, hi: attrs.max })));
  return h('form', {
    class: 'form card', 'aria-labelledby': 'b-new', novalidate: true,
    onsubmit: async (ev) => {
      ev.preventDefault();
      error.textContent = '';
      status.textContent = '';
      const values = { date: date.value || null };
      for (const [i, [name, attrs, whole]] of INPUTS.entries()) {
        const input = inputs[i];
        input.removeAttribute('aria-invalid');
        if (input.value === '' && !input.validity.badInput) continue;
        const v = Number(input.value);
        if (input.validity.badInput || !(v >= attrs.min && v <= attrs.max) || (whole && !Number.isInteger(v))) {
          error.textContent = t('body.bad', { field: t('body.f.' + name), lo: attrs.min, hi: attrs.max });
          input.setAttribute('aria-invalid', 'true');
          input.focus();
          return;
        }
        values[name] = v;
      }
      if (Object.keys(values).length === 1) {
        error.textContent = t('body.nothing');
        return;
      }
      if ('vo2max' in values) values.vo2maxSource = source.value;
      try {
        await ctx.save(uuid(), 'measurement', values);
        ctx.navigate('/body', true, t('body.saved'));
      } catch (e) {
        error.textContent = t('finish.saveFailed', { reason: e.message });
      }
    },
  },
  h('h2', { id: 'b-new', text: t('body.new') }),
  h('p', { class: 'hint', text: t('body.newHint') }),
  field('m-date', t('body.f.date'), date),
  fields[0],
  field('m-vo2maxSource', t('body.f.vo2maxSource'), source),
  ...fields.slice(1),
  error,
  status,
  h('button', { type: 'submit', class: 'btn primary', 'data-testid': 'm-save', text: t('settings.save') }));
}

function historyCard(t, all) {
  const num = new Intl.NumberFormat(t.locale);
  const unit = { vo2max: 'body.u.vo2max', restingHr: 'unit.bpm', weightKg: 'body.u.kg', waistCm: 'body.u.cm' };
  const rows = [...all].reverse().map((m) => {
    const parts = Object.keys(unit).filter((k) => typeof m[k] === 'number').map((k) => `${t('body.s.' + k)} ${num.format(m[k])} ${t(unit[k])}`);
    if (typeof m.systolic === 'number' || typeof m.diastolic === 'number') {
      parts.push(`${t('body.bp')} ${m.systolic ?? '–'}/${m.diastolic ?? '–'}`);
    }
    return h('li', { 'data-testid': 'measurement' },
      h('strong', { text: m.date ? shortDate(t, m.date, 'UTC') + ': ' : '' }), parts.join(' · '));
  });
  return h('section', { class: 'card', 'aria-labelledby': 'b-hist' },
    h('h2', { id: 'b-hist', text: t('body.history') }),
    h('ul', { class: 'plain' }, rows));
}
