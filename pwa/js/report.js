// Report: the last three months on one page a patient can show a doctor,
// printed (or saved as PDF) with the browser's own print: the week plan,
// a summary, sessions per week, intensity and heart rate as charts, and
// every session, partial and uncounted ones marked as such. The print
// style sheet leaves out the app's chrome and this page's buttons.

import { h, mount } from './ui.js';
import { sessions as listSessions, plan as readPlan } from './model.js';
import { lastWeeks, weekly, completionOf, hrTrend } from './stats.js';
import { weekOf, localParts, zonedTime } from './training.js';
import { bars, line } from './charts.js';
import { dateTime, dateWithYear, shortDate, weekday, protocolName, ratings, percent } from './fmt.js';

/** live: re-render when documents change. */
export const live = true;

// WEEKS is how far back the report goes: about three months.
const WEEKS = 13;

/** render draws the report. */
export function render(ctx) {
  const { t } = ctx;
  const profile = ctx.profile();
  const tz = profile.timeZone;
  const now = Date.now();
  const weeks = lastWeeks(WEEKS, now, tz);
  const from = weeks[0];
  const all = listSessions(ctx.store.get().docs).filter((s) => weekOf(Date.parse(s.startedAt), tz) >= from);
  const plan = readPlan(ctx.store.get().docs);
  const target = (plan && plan.sessionsPerWeek) || null;
  const rows = weekly(all, weeks, target, tz);
  const kinds = all.map(completionOf);
  const counted = kinds.filter((c) => c !== 'none').length;
  const partial = kinds.filter((c) => c === 'partial').length;
  const minutes = all.reduce((a, s, i) => a + (kinds[i] === 'none' ? 0 : s.durationMin || 0), 0);
  // Judged are the whole weeks since the first session; this one is open.
  const firstSession = all.length ? weekOf(Date.parse(all[all.length - 1].startedAt), tz) : '';
  const judged = target ? rows.slice(0, -1).filter((r) => r.week >= firstSession) : [];
  const met = judged.filter((r) => r.count >= target).length;
  // Every other week is named, so the labels of 13 weeks do not collide.
  const label = (w, i) => ((rows.length - 1 - i) % 2 ? '' : t('progress.weekShort', { n: Number(w.slice(-2)) }));
  const trend = hrTrend(all);
  // The period starts on the Monday of its first week.
  const first = localParts(now - (WEEKS - 1) * 7 * 86400000, tz);
  const start = zonedTime(first.y, first.m, first.d - (first.wd - 1), 0, 0, tz);

  mount(h('article', { class: 'report', 'data-testid': 'report', id: 'report' },
    h('div', { class: 'no-print row report-actions' },
      h('button', { type: 'button', class: 'btn primary', 'data-testid': 'report-print', id: 'report-print', text: t('report.print'), onclick: () => window.print() }),
      h('a', { class: 'btn ghost', href: '/settings', text: t('common.back') })),
    h('p', { class: 'hint no-print', text: t('report.printHint') }),
    h('h1', { text: t('report.title') }),
    h('p', { class: 'strong', text: profile.name || '' }),
    h('p', { text: t('report.period', { from: dateWithYear(t, start, tz), to: dateWithYear(t, now, tz), weeks: WEEKS }) }),
    h('section', { class: 'card', 'aria-labelledby': 'r-plan' },
      h('h2', { id: 'r-plan', text: t('report.plan') }),
      h('p', { 'data-testid': 'report-plan', text: planLine(t, plan) })),
    h('section', { class: 'card', 'aria-labelledby': 'r-sum' },
      h('h2', { id: 'r-sum', text: t('report.summary') }),
      h('ul', { class: 'report-facts' },
        h('li', { text: t('report.counted', { n: counted }) }),
        partial ? h('li', { text: t('report.partial', { n: partial }) }) : null,
        counted < all.length ? h('li', { text: t('report.notCounted', { n: all.length - counted }) }) : null,
        h('li', { text: t('report.minutes', { n: minutes }) }),
        judged.length ? h('li', { text: t('progress.adherenceText', { met, weeks: judged.length, n: judged.length }) }) : null)),
    h('section', { class: 'card report-charts', 'aria-labelledby': 'r-charts' },
      h('h2', { id: 'r-charts', text: t('progress.adherence') }),
      bars(rows.map((r, i) => ({ label: label(r.week, i), value: r.count, met: target != null && r.count >= target })), { title: t('progress.adherence'), target, testid: 'report-chart-adherence' }),
      h('h2', { text: t('progress.intensity') }),
      bars(rows.map((r, i) => ({ label: label(r.week, i), value: r.intensity == null ? null : Math.round(r.intensity * 100), met: r.intensity >= 0.75 })), { title: t('progress.intensity'), max: 100, testid: 'report-chart-intensity', fmt: (v) => percent(v / 100), ticks: [0, 50, 100] }),
      trend.length ? h('h2', { text: t('progress.hr') }) : null,
      trend.length ? line(trend.map((p) => ({ label: shortDate(t, new Date(p.t).toISOString(), tz), value: p.hr })), { title: t('progress.hr'), testid: 'report-chart-hr', fmt: (v) => v + ' ' + t('unit.bpm') }) : null),
    h('section', { class: 'card', 'aria-labelledby': 'r-sessions' },
      h('h2', { id: 'r-sessions', text: t('report.sessions') }),
      all.length
        ? h('ol', { class: 'report-sessions' }, all.map((s, i) => session(t, s, kinds[i], tz)))
        : h('p', { class: 'muted', text: t('report.noSessions') }))));
}

// planLine says the week plan in words, or that there is none.
function planLine(t, plan) {
  if (!plan || !plan.sessionsPerWeek) return t('report.noPlan');
  const parts = [t('today.planAskN', { n: plan.sessionsPerWeek })];
  if (plan.days.length) parts.push(plan.days.map((d) => weekday(t, d)).join(', '));
  if (plan.time) parts.push(t('report.at', { time: plan.time }));
  return parts.join(' · ');
}

// session is one session's line: when, what, how long, how hard, how it felt.
function session(t, s, kind, tz) {
  const hr = (s.intervals || []).map((iv) => (iv && iv.hrPeak) || null);
  const facts = [
    s.durationMin != null ? t('facts.minutes', { n: s.durationMin }) : null,
    s.sessionRpe != null ? t('facts.sessionRpe', { n: s.sessionRpe }) : null,
    ratings(s.intervals, ' · ') ? t('facts.intervals', { list: ratings(s.intervals, ' · ') }) : null,
    hr.some(Boolean) ? t('report.hr', { list: hr.map((v) => v || '–').join(' · ') }) : null,
    s.moodBefore || s.moodAfter ? t('report.mood', { before: s.moodBefore ? t('mood.' + s.moodBefore) : '–', after: s.moodAfter ? t('mood.' + s.moodAfter) : '–' }) : null,
  ].filter(Boolean);
  return h('li', { class: 'report-session', 'data-testid': 'report-session' },
    h('p', { class: 'strong', text: `${dateTime(t, s.startedAt, tz)} · ${protocolName(t, s.protocol)}` }),
    kind === 'complete' ? null : h('span', { class: 'completion completion-' + kind, text: t('completion.' + kind) }),
    h('p', { class: 'small', text: facts.join(' — ') }),
    s.note ? h('p', { class: 'note', text: s.note }) : null);
}
