// Progress: weekly adherence against the plan, intensity (share of
// intervals at 15 or more), training load (session RPE × minutes) and the
// heart-rate trend, each as a small inline SVG chart with a plain summary.

import { h, mount } from './ui.js';
import { sessions as listSessions, plan as readPlan } from './model.js';
import { lastWeeks, weekly, intensityShare, hrTrend } from './stats.js';
import { weekOf } from './training.js';
import { bars, line } from './charts.js';
import { percent, shortDate } from './fmt.js';

/** live: re-render when documents change. */
export const live = true;

const WEEKS = 8;

/** render draws the progress screen. */
export function render(ctx) {
  const { t } = ctx;
  const tz = ctx.profile().timeZone;
  const all = listSessions(ctx.store.get().docs);
  const bodyLink = h('a', { class: 'card link-card', href: '/body', 'data-testid': 'body-link' },
    h('strong', { text: t('body.link') }), h('span', { class: 'hint', text: t('body.linkHint') }));
  if (!all.length) {
    mount(h('h1', { text: t('progress.title') }), bodyLink,
      h('p', { class: 'empty', 'data-testid': 'progress-empty', text: t('progress.empty') }),
      h('a', { class: 'btn primary huge', href: '/timer?protocol=4x4', text: t('today.start4x4') }));
    return;
  }
  const plan = readPlan(ctx.store.get().docs);
  const target = (plan && plan.sessionsPerWeek) || null;
  const weeks = lastWeeks(WEEKS, Date.now(), tz);
  const rows = weekly(all, weeks, target, tz);
  const label = (w) => t('progress.weekShort', { n: Number(w.slice(-2)) });
  // Judge only whole weeks since the first session; this week is still open.
  const firstWeek = weekOf(Date.parse(all[all.length - 1].startedAt), tz);
  const judged = target ? rows.slice(0, -1).filter((r) => r.week >= firstWeek) : [];
  const met = judged.filter((r) => r.count >= r.target).length;
  const thisWeek = rows[rows.length - 1];
  const recent = all.filter((s) => Date.parse(s.startedAt) > Date.now() - 28 * 86400000);
  const share = intensityShare(recent);
  const trend = hrTrend(all).slice(-12);

  mount(
    h('h1', { text: t('progress.title') }),
    bodyLink,
    h('section', { class: 'card', 'aria-labelledby': 'p-adh' },
      h('h2', { id: 'p-adh', text: t('progress.adherence') }),
      h('p', { class: 'lead', 'data-testid': 'progress-adherence' },
        target ? t('progress.thisWeek', { done: thisWeek.count, target }) : t('progress.thisWeekNoPlan', { n: thisWeek.count }),
        thisWeek.partial ? ' ' + t('progress.partial', { n: thisWeek.partial }) : '',
        judged.length ? ' ' + t('progress.adherenceText', { met, weeks: judged.length, n: judged.length }) : ''),
      bars(rows.map((r) => ({ label: label(r.week), value: r.count, met: target != null && r.count >= target })), { title: t('progress.adherence'), target, testid: 'chart-adherence', ticks: ticksFor(Math.max(target || 0, ...rows.map((r) => r.count))) }),
      h('p', { class: 'hint', text: t('progress.countsHint') })),
    h('section', { class: 'card', 'aria-labelledby': 'p-int' },
      h('h2', { id: 'p-int', text: t('progress.intensity') }),
      h('p', { class: 'lead', 'data-testid': 'progress-intensity', text: share == null ? t('progress.intensityNone') : t('progress.intensityText', { pct: percent(share) }) }),
      bars(rows.map((r) => ({ label: label(r.week), value: r.intensity == null ? null : Math.round(r.intensity * 100), met: r.intensity >= 0.75 })), { title: t('progress.intensity'), max: 100, testid: 'chart-intensity', fmt: (v) => v + ' %', ticks: [0, 50, 100] }),
      h('p', { class: 'hint', text: t('progress.intensityHint') })),
    h('section', { class: 'card', 'aria-labelledby': 'p-load' },
      h('h2', { id: 'p-load', text: t('progress.load') }),
      h('p', { class: 'lead', 'data-testid': 'progress-load', text: loadLine(t, thisWeek) }),
      bars(rows.map((r) => ({ label: label(r.week), value: r.load })), { title: t('progress.load'), testid: 'chart-load' }),
      h('p', { class: 'hint', text: t('progress.loadHint') })),
    h('section', { class: 'card', 'aria-labelledby': 'p-hr' },
      h('h2', { id: 'p-hr', text: t('progress.hr') }),
      trend.length ? h('p', { class: 'lead', 'data-testid': 'progress-hr', text: t('progress.hrLast', { n: trend[trend.length - 1].hr }) }) : null,
      trend.length
        ? line(trend.map((p) => ({ label: shortDate(t, new Date(p.t).toISOString(), tz), value: p.hr })), { title: t('progress.hr'), testid: 'chart-hr', fmt: (v) => v + ' ' + t('unit.bpm') })
        : h('p', { class: 'muted', 'data-testid': 'progress-hr-empty', text: t('progress.hrNone') })),
  );
}

// loadLine sums up the week's load, or says why there is none.
function loadLine(t, week) {
  if (!week.count) return t('progress.loadNone');
  if (week.unrated === week.count) return t('progress.loadUnrated');
  return t('progress.loadText', { n: week.load });
}

function ticksFor(max) {
  const top = Math.max(1, max);
  return top <= 4 ? Array.from({ length: top + 1 }, (_, i) => i) : [0, Math.round(top / 2), top];
}
