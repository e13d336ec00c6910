// Settings: profile (PATCH /me, queued while offline), my week (the synced
// "plan" document), language, data export, sign-out.

import { h, mount, field, timeControl } from './ui.js';
import { change, diff, plan as readPlan, PLAN_ID, sessions as listSessions } from './model.js';
import { weekday } from './fmt.js';
import { hrMax } from './timerlogic.js';
import { ApiError, OfflineError } from './api.js';

const ZONES = ['Europe/Oslo', 'Europe/Stockholm', 'Europe/Copenhagen', 'Europe/Helsinki', 'Europe/London', 'Europe/Berlin', 'UTC'];

/** render draws the settings screen. */
export function render(ctx) {
  const { t } = ctx;
  const profile = ctx.profile();
  const state = ctx.store.get();

  // Profile ------------------------------------------------------------
  const name = h('input', { type: 'text', autocomplete: 'nickname', maxlength: 80, value: profile.name || '', 'data-testid': 'profile-name' });
  const birthYear = h('input', { type: 'number', inputmode: 'numeric', min: 1900, max: new Date().getFullYear(), value: profile.birthYear || '', 'data-testid': 'profile-birth-year' });
  const hrmax = h('input', { type: 'number', inputmode: 'numeric', min: 100, max: 240, value: profile.hrMax || '', 'data-testid': 'profile-hrmax' });
  const zones = ZONES.includes(profile.timeZone) ? ZONES : [profile.timeZone, ...ZONES];
  const tz = h('select', { 'data-testid': 'profile-timezone' }, zones.map((z) => h('option', { value: z, text: z.replace('_', ' '), selected: z === profile.timeZone })));
  const est = hrMax(profile);
  const profileMsg = h('p', { class: 'hint', role: 'status', 'data-testid': 'profile-status', text: state.pendingProfile ? t('settings.profilePending') : '' });
  const profileForm = h('form', {
    class: 'form card', 'aria-labelledby': 's-profile',
    onsubmit: async (ev) => {
      ev.preventDefault();
      const next = {
        name: name.value.trim(),
        // The server takes 0 to clear a number.
        birthYear: birthYear.value === '' ? 0 : Number(birthYear.value),
        hrMax: hrmax.value === '' ? 0 : Number(hrmax.value),
        timeZone: tz.value,
      };
      const cur = { name: profile.name || '', birthYear: profile.birthYear || 0, hrMax: profile.hrMax || 0, timeZone: profile.timeZone };
      const patch = diff(cur, next);
      if (!Object.keys(patch).length) return;
      await ctx.updateProfile(patch);
      // Said next to the button, where the eyes are; a toast would cover the form.
      profileMsg.textContent = navigator.onLine ? t('settings.saved') : t('settings.profilePending');
    },
  },
  h('h2', { id: 's-profile', text: t('settings.profile') }),
  field('profile-name', t('settings.name'), name, t('settings.nameHint')),
  field('profile-birth-year', t('settings.birthYear'), birthYear),
  field('profile-hrmax', t('settings.hrMax'), hrmax, est ? t('settings.hrMaxHint', { n: est }) : t('settings.hrMaxHintNone')),
  field('profile-timezone', t('settings.timeZone'), tz),
  profileMsg,
  h('button', { type: 'submit', class: 'btn primary', 'data-testid': 'profile-save', id: 'profile-save', text: t('settings.save') }));

  // My week --------------------------------------------------------------
  const plan = readPlan(state.docs);
  const perWeek = h('select', { 'data-testid': 'plan-per-week' },
    [1, 2, 3, 4, 5, 6, 7].map((n) => h('option', { value: n, text: String(n), selected: n === plan.sessionsPerWeek })));
  const days = h('div', { class: 'days', role: 'group', 'aria-labelledby': 'plan-days-h' },
    [1, 2, 3, 4, 5, 6, 7].map((d) => h('label', { class: 'day' },
      h('input', { type: 'checkbox', value: d, checked: plan.days.includes(d), 'data-testid': 'plan-day-' + d, id: 'plan-day-' + d }),
      h('span', { 'aria-hidden': 'true', text: weekday(t, d, 'short') }),
      h('span', { class: 'sr-only', text: weekday(t, d) }))));
  const time = timeControl(plan.time || '17:00', { testid: 'plan-time', step: 5, hourLabel: t('time.hour'), minuteLabel: t('time.minute') });
  const planMsg = h('p', { class: 'hint', role: 'status', 'data-testid': 'plan-status' });
  const planForm = h('form', {
    class: 'form card', id: 'plan', 'aria-labelledby': 's-plan',
    onsubmit: async (ev) => {
      ev.preventDefault();
      const next = {
        sessionsPerWeek: Number(perWeek.value),
        days: [...days.querySelectorAll('input:checked')].map((i) => Number(i.value)).sort(),
        time: time.value || null,
      };
      const cur = readPlan(ctx.store.get().docs);
      const existing = ctx.store.get().docs.some((d) => d.id === PLAN_ID);
      const changed = existing ? diff(cur, next) : next;
      try {
        if (Object.keys(changed).length) await ctx.save(change(PLAN_ID, 'plan', changed, ctx.clock.stamp));
        planMsg.textContent = t('settings.planSaved');
      } catch (e) {
        planMsg.textContent = t('finish.saveFailed', { reason: e.message });
      }
    },
  },
  h('h2', { id: 's-plan', text: t('settings.week') }),
  h('p', { class: 'hint', text: t('settings.weekHint') }),
  field('plan-per-week', t('settings.perWeek'), perWeek),
  h('p', { class: 'label-like', id: 'plan-days-h', text: t('settings.days') }),
  days,
  field('plan-time', t('settings.time'), time),
  planMsg,
  h('button', { type: 'submit', class: 'btn primary', 'data-testid': 'plan-save', id: 'plan-save', text: t('settings.save') }));

  // Language -------------------------------------------------------------
  const lang = h('select', {
    'data-testid': 'language', id: 'language',
    onchange: async () => {
      await ctx.updateProfile({ language: lang.value });
      await ctx.setLang(lang.value);
    },
  }, h('option', { value: 'nb', text: 'Norsk bokmål', selected: t.lang === 'nb' }), h('option', { value: 'en', text: 'English', selected: t.lang === 'en' }));

  // Group ------------------------------------------------------------------
  const code = h('input', { type: 'text', autocapitalize: 'characters', autocomplete: 'off', maxlength: 16, 'data-testid': 'group-code' });
  const groupMsg = h('p', { class: 'hint', role: 'status', 'data-testid': 'group-status' });
  const groupForm = h('form', {
    class: 'form card', 'aria-labelledby': 's-group',
    onsubmit: async (ev) => {
      ev.preventDefault();
      const c = code.value.trim().toUpperCase();
      if (!c) return;
      try {
        await ctx.api.post('/groups/join', { code: c });
        groupMsg.textContent = t('settings.groupJoined');
        code.value = '';
      } catch (e) {
        groupMsg.textContent = e instanceof OfflineError ? t('error.offline') : t('settings.groupFailed', { reason: e.message });
      }
    },
  },
  h('h2', { id: 's-group', text: t('settings.group') }),
  field('group-code', t('join.code'), code),
  groupMsg,
  h('button', { type: 'submit', class: 'btn secondary', 'data-testid': 'group-join', text: t('settings.groupJoin') }));

  mount(
    h('h1', { text: t('settings.title') }),
    profileForm,
    planForm,
    h('section', { class: 'card', 'aria-labelledby': 's-lang' },
      h('h2', {}, h('label', { for: 'language', id: 's-lang', text: t('settings.language') })),
      lang),
    groupForm,
    h('section', { class: 'card', 'aria-labelledby': 's-data' },
      h('h2', { id: 's-data', text: t('settings.data') }),
      h('p', { class: 'hint', text: t('settings.exportHint') }),
      h('button', { type: 'button', class: 'btn secondary', 'data-testid': 'export-data', id: 'export-data', text: t('settings.export'), onclick: () => exportData(ctx) }),
      h('button', {
        type: 'button', class: 'btn danger', 'data-testid': 'sign-out', id: 'sign-out', text: t('settings.signOut'),
        onclick: async () => {
          const { pending } = await ctx.sync.counts();
          if (pending && !confirm(t('settings.signOutPending', { n: pending }))) return;
          await ctx.signOut();
        },
      })),
    h('p', { class: 'muted small center', text: `${t('app.name')} · ${document.getElementById('main').dataset.version || ''}` }),
  );
  if (location.hash === '#plan') document.getElementById('plan')?.scrollIntoView();
}

async function exportData(ctx) {
  const state = ctx.store.get();
  let server = null;
  try {
    server = await ctx.api.get('/me');
  } catch (e) {
    if (!(e instanceof OfflineError || e instanceof ApiError)) throw e;
  }
  const data = {
    exportedAt: new Date().toISOString(),
    user: server || state.user,
    profile: ctx.profile(),
    sessions: listSessions(state.docs),
    plan: readPlan(state.docs),
    documents: state.docs,
    unsynced: await ctx.db.outbox(),
  };
  const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: `4x4-dagbok-${new Date().toISOString().slice(0, 10)}.json`, 'data-testid': 'export-link' });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
