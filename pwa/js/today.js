// Today: this week's plan against what is done (the sessions that count,
// training's rule), the next planned session, the big start button and
// the last session; above them, an invitation to a peer group when the
// trainer handed one (invitations.js). Without a plan it asks for one; it never invents one.

import { h, mount } from './ui.js';
import { sessions as listSessions, plan as readPlan, PLAN_ID } from './model.js';
import { nextSlot, completionOf } from './stats.js';
import { weekOf, counts } from './training.js';
import { dateTime, weekday, protocolName } from './fmt.js';
import { invitations } from './invitations.js';

/** live: re-render when documents change (e.g. after a pull). */
export const live = true;

/** render draws the Today screen. */
export function render(ctx) {
  const { t } = ctx;
  const state = ctx.store.get();
  const profile = ctx.profile();
  const tz = profile.timeZone;
  const all = listSessions(state.docs);
  const plan = readPlan(state.docs);
  const now = Date.now();
  const thisWeek = weekOf(now, tz);
  const week = all.filter((s) => weekOf(Date.parse(s.startedAt), tz) === thisWeek).map(completionOf);
  const done = week.filter(counts).length;
  const partial = week.filter((c) => c === 'partial').length;
  const notCounted = week.length - done;
  const target = (plan && plan.sessionsPerWeek) || 0;
  // Once the week's goal is reached, the next session is next week's.
  const slot = plan ? nextSlot(plan, now, tz, { nextWeek: target > 0 && done >= target }) : null;
  const last = all[0];
  const name = profile.name || (state.user && state.user.name) || '';

  const dots = [];
  for (let i = 0; i < Math.max(target, done); i++) {
    // The partial sessions fill the last of the done pips by half.
    dots.push(h('span', { class: 'pip' + (i < done ? ' done' : '') + (i < done && i >= done - partial ? ' partial' : '') + (i >= target ? ' extra' : ''), 'aria-hidden': 'true' }));
  }
  let cheer = 'today.cheerStart';
  if (target && done >= target) cheer = 'today.cheerDone';
  else if (done > 0) cheer = 'today.cheerGoing';

  const main = mount(
    h('h1', { class: 'greeting', text: name ? t('today.hello', { name }) : t('today.helloAnon') }),
    invitations(ctx),
    h('section', { class: 'card week', 'aria-labelledby': 'week-h', 'data-testid': 'week-card' },
      h('h2', { id: 'week-h', class: 'label', text: t('today.thisWeek') }),
      h('p', { class: 'big', 'data-testid': 'week-progress', id: 'week-progress', text: target ? t('today.doneOf', { done, target, n: target }) : t('today.done', { n: done }) }),
      target ? h('div', { class: 'pips' }, dots) : null,
      partial || notCounted ? h('p', { class: 'muted', 'data-testid': 'week-partial' },
        [partial ? t('today.partial', { n: partial }) : '', notCounted ? t('today.notCounted', { n: notCounted }) : ''].filter(Boolean).join(' ')) : null,
      target ? h('p', { class: 'muted', text: t(cheer) }) : askPlan(ctx),
      !target ? null : slot ? h('p', { class: 'next', 'data-testid': 'next-slot', id: 'next-slot' },
        h('strong', { text: t('today.next') + ' ' }),
        slot.inDays === 0 ? t('today.todayAt', { time: slot.time })
          : slot.inDays === 1 ? t('today.tomorrowAt', { time: slot.time })
            : t(slot.nextWeek ? 'today.dayNextWeekAt' : 'today.dayAt', { day: weekday(t, slot.wd), time: slot.time }))
        : h('p', { class: 'next muted', 'data-testid': 'next-slot', id: 'next-slot' },
          h('a', { href: '/settings#plan', text: t('today.setPlan') }))),
    h('div', { class: 'start-area' },
      h('div', { id: 'resume-slot' }),
      h('a', { class: 'btn primary huge', href: '/timer?protocol=4x4', 'data-testid': 'start-4x4', id: 'start-4x4', role: 'button', text: t('today.start4x4') }),
      h('p', { class: 'hint center', text: t('today.startHint') }),
      h('div', { class: 'row' },
        h('a', { class: 'btn secondary', href: '/timer?protocol=3x3', 'data-testid': 'start-3x3', id: 'start-3x3', role: 'button', text: t('today.start3x3') }),
        h('a', { class: 'btn secondary', href: '/timer?protocol=tabata', 'data-testid': 'start-tabata', id: 'start-tabata', role: 'button', text: t('today.startTabata') })),
      h('a', { class: 'btn ghost', href: '/log', 'data-testid': 'log-manual', id: 'log-manual', role: 'button', text: t('today.logManual') })),
    h('section', { class: 'card', 'aria-labelledby': 'last-h' },
      h('h2', { id: 'last-h', class: 'label', text: t('today.last') }),
      last ? summary(t, last, tz) : h('p', { class: 'muted', 'data-testid': 'last-session', text: t('today.noneYet') })),
  );

  ctx.db.getMeta('inprogress').then((run) => {
    if (!run) return;
    const slotEl = main.querySelector('#resume-slot');
    if (!slotEl) return;
    slotEl.replaceChildren(h('a', { class: 'btn warm huge', href: '/timer', 'data-testid': 'resume-session', id: 'resume-session', role: 'button', text: t('today.resume') }));
  }).catch(() => {});
}

// askPlan asks how many sessions a week the patient wants: the goal is
// theirs (or their trainer's), never the app's guess.
function askPlan(ctx) {
  const { t } = ctx;
  return h('div', { class: 'plan-ask', role: 'group', 'aria-labelledby': 'plan-ask-h', 'data-testid': 'plan-ask' },
    h('p', { class: 'strong', id: 'plan-ask-h', text: t('today.planAsk') }),
    h('div', { class: 'plan-ask-row' }, [1, 2, 3, 4].map((n) => h('button', {
      type: 'button', class: 'btn secondary', 'data-testid': 'plan-ask-' + n, id: 'plan-ask-' + n, text: String(n),
      'aria-label': t('today.planAskN', { n }),
      onclick: () => ctx.save(PLAN_ID, 'plan', { sessionsPerWeek: n }),
    }))),
    h('p', { class: 'hint' }, t('today.planAskHint') + ' ', h('a', { href: '/settings#plan', text: t('today.setPlan') })));
}

function summary(t, s, tz) {
  const rated = (s.intervals || []).filter((iv) => iv && iv.rpe);
  const avg = rated.length ? Math.round(rated.reduce((a, b) => a + b.rpe, 0) / rated.length) : null;
  const c = completionOf(s);
  return h('a', { class: 'summary', href: '/session/' + s.id, 'data-testid': 'last-session', id: 'last-session' },
    h('p', { class: 'strong', text: `${protocolName(t, s.protocol)} · ${dateTime(t, s.startedAt, tz)}` }),
    c === 'complete' ? null : h('p', { class: 'completion completion-' + c, text: t('completion.' + c) }),
    h('ul', { class: 'facts' },
      s.durationMin != null ? h('li', { text: t('facts.minutes', { n: s.durationMin }) }) : null,
      s.sessionRpe != null ? h('li', { text: t('facts.sessionRpe', { n: s.sessionRpe }) }) : null,
      avg ? h('li', { text: t('facts.avgRpe', { n: avg }) }) : null,
      s.moodAfter ? h('li', { text: t('facts.moodAfter', { mood: t('mood.' + s.moodAfter) }) }) : null));
}
