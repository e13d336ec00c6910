// A patient page (/clinic/patient/<group>/<user>): the patient's weeks,
// plan and sessions with their intervals, as the trainer may see them
// (notes only when the patient shares them), the plan form — the trainer's plan goes
// into the patient's synced plan document, which their phone pulls — and a
// password-reset code for a patient who forgot theirs. After the group's
// weeks it suggests the next step, and the trainer hands the patient a
// peer group's code there: checked and shown first, then sent as an
// invitation the patient answers in their app.

import { h, mount, field, timeControl, notice } from './ui.js';
import { day, problem, strip } from './staffui.js';
import { weekday, percent, fitnessYears } from './fmt.js';
import { intensityShare } from './training.js';
import { bars } from './charts.js';
import { sessionText } from './invitations.js';
import { ApiError } from './api.js';

/** render draws the patient page. */
export function render(ctx, [groupId, userId]) {
  const { t } = ctx;
  const error = h('p', { class: 'error', role: 'alert', 'data-testid': 'patient-error' });
  const fail = (e) => { error.textContent = problem(t, e); };
  const title = h('h1', { text: t('app.loading') });
  const body = h('div');
  mount(h('p', {}, h('a', { href: '/clinic/group/' + groupId, 'data-testid': 'back-group', text: '← ' + t('clinic.backToGroup') })), title, error, body);

  const load = () => ctx.api.get(`/groups/${groupId}/members/${userId}?weeks=12`).then(draw, fail);
  load();

  function draw(p) {
    title.textContent = p.user.name;
    document.title = `${p.user.name} – ${t('app.name')}`;
    body.replaceChildren(
      h('p', { class: 'muted small', 'data-testid': 'patient-visible', text: p.visibleFrom ? t('clinic.visibleFrom', { date: day(t, p.visibleFrom) }) : t('clinic.visibleAll') }),
      nextStep(p),
      h('section', { class: 'card', 'aria-labelledby': 'p-weeks' }, h('h2', { id: 'p-weeks', text: t('clinic.weeks') }), strip(t, p.weeks, 'patient-strip')),
      charts(p.weeks),
      fitness(p.fitness),
      planForm(p),
      h('section', { class: 'card', 'aria-labelledby': 'p-sessions' },
        h('h2', { id: 'p-sessions', text: t('clinic.sessions') }),
        p.sessions.length ? h('ol', { class: 'list', 'data-testid': 'patient-sessions' }, p.sessions.slice().reverse().map((s) => sessionRow(s, p.user.hrMax))) : h('p', { class: 'muted', text: t('clinic.noSessions') })),
      resetCard());
  }

  // charts draws the patient's weeks with the charts of their own Progress
  // screen: sessions against the plan, share of hard intervals, load.
  function charts(weeks) {
    const recent = weeks.slice(-8);
    const label = (w) => t('progress.weekShort', { n: Number(w.week.slice(-2)) });
    const planned = recent.length ? recent[recent.length - 1].planned : 0;
    return h('section', { class: 'card', 'aria-labelledby': 'p-charts' },
      h('h2', { id: 'p-charts', text: t('progress.title') }),
      h('div', { class: 'chart-grid' },
        h('div', {}, h('h3', { text: t('progress.adherence') }),
          bars(recent.map((w) => ({ label: label(w), value: w.sessions, met: w.planned > 0 && w.sessions >= w.planned })),
            { title: t('progress.adherence'), target: planned || undefined, testid: 'patient-chart-adherence', ticks: [0, Math.max(planned, ...recent.map((w) => w.sessions), 1)] })),
        h('div', {}, h('h3', { text: t('progress.intensity') }),
          bars(recent.map((w) => ({ label: label(w), value: w.sessions ? Math.round(w.highIntensityShare * 100) : null, met: w.highIntensityShare >= 0.75 })),
            { title: t('progress.intensity'), max: 100, testid: 'patient-chart-intensity', fmt: (v) => v + ' %', ticks: [0, 50, 100] })),
        h('div', {}, h('h3', { text: t('progress.load') }),
          bars(recent.map((w) => ({ label: label(w), value: Math.round(w.load) })), { title: t('progress.load'), testid: 'patient-chart-load' }))));
  }

  // fitness draws the patient's fitness age over time, as their Body
  // screen does: the change since the first measurement first.
  function fitness(f) {
    const years = (pt) => fitnessYears(t, { years: pt.fitnessAge, beyond: pt.beyond });
    let content;
    if (!f.sexKnown) content = [h('p', { class: 'muted', text: t('clinic.fitnessNoSex') })];
    else if (!f.points.length) content = [h('p', { class: 'muted', text: t('clinic.fitnessNone') })];
    else {
      const first = f.points[0];
      const last = f.points[f.points.length - 1];
      const change = Math.round(last.fitnessAge) - Math.round(first.fitnessAge);
      content = [
        f.points.length > 1 ? h('p', { 'data-testid': 'patient-fitness-change', text: t('clinic.fitnessChange', { n: change > 0 ? '+' + change : String(change) }) }) : null,
        h('ol', { class: 'list', 'data-testid': 'patient-fitness' }, f.points.slice().reverse().map((pt) => h('li', {
          text: pt.age !== null ? t('clinic.fitnessPointAge', { date: day(t, pt.date), fitness: years(pt), age: pt.age }) : t('clinic.fitnessPoint', { date: day(t, pt.date), fitness: years(pt) }),
        }))),
      ];
    }
    return h('section', { class: 'card', 'aria-labelledby': 'p-fitness' }, h('h2', { id: 'p-fitness', text: t('clinic.fitness') }), ...content, measurementForm());
  }

  // measurementForm enters a measurement taken at the clinic; the server
  // writes it into the patient's diary, and their phone gets it.
  function measurementForm() {
    const num = (testid, step) => h('input', { type: 'number', inputmode: 'decimal', step: step || 'any', 'data-testid': testid });
    const date = h('input', { type: 'date', value: new Date().toISOString().slice(0, 10), 'data-testid': 'm-date' });
    const source = h('select', { 'data-testid': 'm-source' }, ['test', 'watch', 'calculator'].map((v) => h('option', { value: v, text: t('body.source.' + v) })));
    const inputs = { vo2max: num('m-vo2max'), restingHr: num('m-resting', '1'), weightKg: num('m-weight'), waistCm: num('m-waist'), systolic: num('m-systolic', '1'), diastolic: num('m-diastolic', '1') };
    return h('details', { class: 'measure-add' },
      h('summary', { 'data-testid': 'm-open', text: t('clinic.measurementAdd') }),
      h('form', {
        class: 'form', novalidate: true,
        onsubmit: async (ev) => {
          ev.preventDefault();
          error.textContent = '';
          const body = {};
          if (date.value) body.date = date.value;
          for (const [k, el] of Object.entries(inputs)) if (el.value !== '') body[k] = Number(el.value);
          if (body.vo2max !== undefined) body.vo2maxSource = source.value;
          try {
            await ctx.api.post(`/groups/${groupId}/members/${userId}/measurements`, body);
            // The page is drawn anew with the measurement; the notice
            // above it says so.
            await load();
            notice(t('clinic.measurementSaved'));
          } catch (e) { fail(e); }
        },
      },
      field('m-date-f', t('body.f.date'), date),
      field('m-vo2max-f', t('body.f.vo2max'), inputs.vo2max),
      field('m-source-f', t('body.f.vo2maxSource'), source),
      field('m-resting-f', t('body.f.restingHr'), inputs.restingHr),
      field('m-weight-f', t('body.f.weightKg'), inputs.weightKg),
      field('m-waist-f', t('body.f.waistCm'), inputs.waistCm),
      field('m-systolic-f', t('body.f.systolic'), inputs.systolic),
      field('m-diastolic-f', t('body.f.diastolic'), inputs.diastolic),
      h('button', { type: 'submit', class: 'btn primary', 'data-testid': 'm-save', text: t('clinic.measurementSave') })));
  }

  function sessionRow(s, hrMax) {
    const share = intensityShare(s.intervals.map((iv) => iv.rpe), s.intervals.map((iv) => iv.hrPeak), hrMax || 0);
    return h('li', { class: 'session ' + s.completion, 'data-testid': 'patient-session' },
      h('p', {}, h('strong', { text: s.startedAt ? day(t, s.startedAt) : t('clinic.noDate') }), ' · ', t('protocol.' + s.protocol), ' · ',
        t('clinic.completion.' + s.completion), ' · ', `${Math.round(s.durationMin)} ${t('unit.min')}`),
      h('p', { class: 'small muted' },
        s.intervals.length ? t('clinic.intervals', { list: s.intervals.map((iv) => [iv.rpe ? 'RPE ' + iv.rpe : null, iv.hrPeak ? iv.hrPeak + ' ' + t('unit.bpm') : null].filter(Boolean).join(' / ') || '–').join(', ') }) : t('clinic.noIntervals'),
        share !== null ? ' · ' + t('clinic.hardShare', { pct: percent(share) }) : '',
        s.load !== null ? ' · ' + t('clinic.loadValue', { n: Math.round(s.load) }) : ''),
      s.note ? h('p', { class: 'small', 'data-testid': 'patient-note', text: t('clinic.note', { note: s.note }) }) : null);
  }

  function planForm(p) {
    const plan = p.plan || { sessionsPerWeek: 2, days: [], time: '17:00', setBy: null };
    const count = h('select', { 'data-testid': 'plan-count' }, [1, 2, 3, 4, 5, 6, 7].map((n) => h('option', { value: n, text: String(n), selected: n === plan.sessionsPerWeek })));
    const days = [1, 2, 3, 4, 5, 6, 7].map((d) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', value: d, checked: plan.days.includes(d), 'data-testid': 'plan-day-' + d }), ' ', weekday(t, d, 'short')));
    const time = timeControl(plan.time || '17:00', { testid: 'plan-time', step: 15, hourLabel: t('time.hour'), minuteLabel: t('time.minute') });
    const status = h('p', { class: 'hint', role: 'status', 'data-testid': 'plan-status',
      text: p.plan ? (plan.setBy ? t('clinic.planSetBy', { name: plan.setBy.name }) : t('clinic.planByPatient')) : t('clinic.noPlan') });
    return h('form', {
      class: 'form card', novalidate: true, 'aria-labelledby': 'p-plan',
      onsubmit: async (ev) => {
        ev.preventDefault();
        error.textContent = '';
        const chosen = days.map((l) => l.querySelector('input')).filter((i) => i.checked).map((i) => Number(i.value));
        try {
          await ctx.api.request('PUT', `/groups/${groupId}/members/${userId}/plan`, { sessionsPerWeek: Number(count.value), days: chosen, time: time.value });
          await load();
          const s = document.querySelector('[data-testid="plan-status"]');
          if (s) s.textContent = t('clinic.planSaved');
        } catch (e) { fail(e); }
      },
    },
    h('h2', { id: 'p-plan', text: t('clinic.plan') }),
    status,
    field('plan-count', t('clinic.planCount'), count),
    h('fieldset', { class: 'plan-days' }, h('legend', { text: t('clinic.planDays') }), days),
    field('plan-time', t('clinic.planTime'), time),
    h('button', { type: 'submit', class: 'btn primary', 'data-testid': 'plan-save', text: t('clinic.planSave') }));
  }

  // nextStep says, once the patient has been in the group for its weeks,
  // that it is time to talk about what comes after, and offers to hand a
  // peer group's code; before that, the code form waits behind a summary.
  function nextStep(p) {
    const ns = p.nextStep;
    const form = handForm(p.user.name);
    if (!ns.due) {
      return h('details', { class: 'card', 'data-testid': 'handover-early' },
        h('summary', { text: t('handover.handEarly', { weeks: ns.weeks, after: ns.after }) }), form);
    }
    return h('section', { class: 'card next-step', 'aria-labelledby': 'p-next-step', 'data-testid': 'next-step' },
      h('h2', { id: 'p-next-step', 'data-testid': 'next-step-title', text: t('handover.due', { n: ns.weeks }) }),
      h('p', { text: t('handover.dueText') }),
      form);
  }

  // handForm takes a peer group's code (typed, pasted, or its join link
  // from a scanner), shows the group it belongs to, and on the trainer's
  // confirmation sends it to the patient as an invitation.
  function handForm(name) {
    const code = h('input', { type: 'text', autocapitalize: 'characters', autocomplete: 'off', spellcheck: 'false', maxlength: 200, 'data-testid': 'handover-code' });
    const out = h('div', { role: 'status', 'data-testid': 'handover-status' });
    const base = `/groups/${groupId}/members/${userId}/invitations`;
    const check = async (ev) => {
      ev.preventDefault();
      error.textContent = '';
      out.replaceChildren();
      const c = codeOf(code.value);
      if (!c) { code.focus(); return; }
      try {
        const g = await ctx.api.post(base + '/preview', { code: c });
        out.replaceChildren(h('div', { class: 'confirm', 'data-testid': 'handover-preview' },
          h('p', {}, h('strong', { 'data-testid': 'handover-group', text: g.name }), ' · ', t('handover.leader', { leader: g.leaderName })),
          h('p', { 'data-testid': 'handover-session', text: sessionText(t, g.schedule) }),
          h('div', { class: 'card-actions' },
            h('button', { type: 'button', class: 'btn primary', 'data-testid': 'handover-send', text: t('handover.send', { name }),
              onclick: async () => {
                try {
                  await ctx.api.post(base, { code: c });
                  code.value = '';
                  out.replaceChildren(h('p', { class: 'strong', 'data-testid': 'handover-sent', text: t('handover.sent', { name, group: g.name }) }));
                } catch (e) { codeFail(e); }
              } }),
            h('button', { type: 'button', class: 'btn', text: t('handover.cancel'), onclick: () => out.replaceChildren() }))));
      } catch (e) { codeFail(e); }
    };
    // codeFail says why a code was refused in the trainer's words.
    const codeFail = (e) => {
      const d = e instanceof ApiError && e.status === 422 && (e.details || []).find((x) => x && x.field === 'code');
      if (d) {
        error.textContent = String(d.reason || '').startsWith('not a peer') ? t('handover.notPeer') : t('handover.badCode');
        code.focus();
      } else if (e instanceof ApiError && e.status === 429) error.textContent = t('handover.tooMany');
      else fail(e);
    };
    return h('form', { class: 'form', novalidate: true, onsubmit: check },
      h('h3', { text: t('handover.handTitle') }),
      field('handover-code', t('handover.codeLabel'), code, t('handover.codeHint')),
      h('button', { type: 'submit', class: 'btn', 'data-testid': 'handover-check', text: t('handover.check') }),
      out);
  }

  function resetCard() {
    const out = h('p', { role: 'status', 'data-testid': 'reset-code' });
    return h('section', { class: 'card', 'aria-labelledby': 'p-reset' },
      h('h2', { id: 'p-reset', text: t('clinic.resetTitle') }),
      h('p', { class: 'muted small', text: t('clinic.resetHint') }),
      h('button', { type: 'button', class: 'btn', 'data-testid': 'reset-issue', text: t('clinic.resetCode'),
        onclick: () => ctx.api.post(`/users/${userId}/reset-code`).then((r) => { out.textContent = t('clinic.resetIssued', { code: r.code, date: day(t, r.expiresAt) }); }, fail) }),
      out);
  }
}

// codeOf reads an invite code from what was typed or pasted: the code
// itself, or the join link a QR code holds (…/join?code=ABCD…).
function codeOf(text) {
  const v = text.trim();
  try {
    const u = new URL(v);
    return (u.searchParams.get('code') || '').trim();
  } catch {
    return v;
  }
}
