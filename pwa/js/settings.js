// Settings: profile (PATCH /me, queued while offline), my week (the synced
// "plan" document), reminders (reminders.js), language, data export,
// sign-out, erasing the account.

import { h, mount, field, timeControl, wholeNumber } from './ui.js';
import { diff, plan as readPlan, planSetter, PLAN_ID, PLAN_START, sessions as listSessions, measurements as listMeasurements } from './model.js';
import { weekday, fieldMessage } from './fmt.js';
import { hrMax } from './training.js';
import { ApiError, OfflineError } from './api.js';
import { heartPanel } from './hrpanel.js';
import { remindersSection } from './reminders.js';
import { leaveGroup } from './rsvp.js';
import { invitations } from './invitations.js';

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
  const sex = h('select', { 'data-testid': 'profile-sex' },
    [['', 'settings.sexNone'], ['female', 'settings.sexFemale'], ['male', 'settings.sexMale']]
      .map(([v, key]) => h('option', { value: v, text: t(key), selected: (profile.sex || '') === v })));
  const zones = ZONES.includes(profile.timeZone) ? ZONES : [profile.timeZone, ...ZONES];
  const tz = h('select', { 'data-testid': 'profile-timezone' }, zones.map((z) => h('option', { value: z, text: z.replace('_', ' '), selected: z === profile.timeZone })));
  const hrMaxHint = (p) => {
    const est = hrMax(p.hrMax, p.birthYear, Date.now());
    return est ? t('settings.hrMaxHint', { n: est }) : t('settings.hrMaxHintNone');
  };
  const profileMsg = h('p', { class: 'hint', role: 'status', 'data-testid': 'profile-status', text: state.pendingProfile ? t('settings.profilePending') : '' });
  const profileError = h('p', { class: 'error', role: 'alert', 'data-testid': 'profile-error', id: 'profile-error' });
  // bad reports whether a number input holds something other than nothing
  // or a whole number from lo to hi, and then says so at the input.
  const bad = (input, lo, hi, key) => {
    if (!Number.isNaN(wholeNumber(input, lo, hi))) return false;
    profileError.textContent = t(key, { lo, hi });
    input.setAttribute('aria-invalid', 'true');
    input.focus();
    return true;
  };
  const profileForm = h('form', {
    class: 'form card', 'aria-labelledby': 's-profile', novalidate: true,
    onsubmit: async (ev) => {
      ev.preventDefault();
      profileError.textContent = '';
      birthYear.removeAttribute('aria-invalid');
      hrmax.removeAttribute('aria-invalid');
      if (bad(birthYear, 1900, new Date().getFullYear(), 'settings.badBirthYear') || bad(hrmax, 100, 240, 'settings.badHrMax')) return;
      const next = {
        name: name.value.trim(),
        // The server takes 0 to clear a number.
        birthYear: birthYear.value === '' ? 0 : Number(birthYear.value),
        hrMax: hrmax.value === '' ? 0 : Number(hrmax.value),
        sex: sex.value,
        timeZone: tz.value,
      };
      // Against the profile as it is now: an earlier save on this screen counts.
      const now = ctx.profile();
      const cur = { name: now.name || '', birthYear: now.birthYear || 0, hrMax: now.hrMax || 0, sex: now.sex || '', timeZone: now.timeZone };
      const patch = diff(cur, next);
      if (!Object.keys(patch).length) return;
      await ctx.updateProfile(patch);
      profileForm.querySelector('#profile-hrmax-hint').textContent = hrMaxHint(ctx.profile());
      // Said next to the button, where the eyes are; a toast would cover the form.
      profileMsg.textContent = navigator.onLine ? t('settings.saved') : t('settings.profilePending');
    },
  },
  h('h2', { id: 's-profile', text: t('settings.profile') }),
  field('profile-name', t('settings.name'), name, t('settings.nameHint')),
  field('profile-birth-year', t('settings.birthYear'), birthYear),
  field('profile-hrmax', t('settings.hrMax'), hrmax, hrMaxHint(profile)),
  field('profile-sex', t('settings.sex'), sex, t('settings.sexHint')),
  field('profile-timezone', t('settings.timeZone'), tz),
  profileError,
  profileMsg,
  h('button', { type: 'submit', class: 'btn primary', 'data-testid': 'profile-save', id: 'profile-save', text: t('settings.save') }));

  // My week --------------------------------------------------------------
  const plan = readPlan(state.docs) || PLAN_START;
  const perWeek = h('select', { 'data-testid': 'plan-per-week' },
    [1, 2, 3, 4, 5, 6, 7].map((n) => h('option', { value: n, text: String(n), selected: n === (plan.sessionsPerWeek ?? PLAN_START.sessionsPerWeek) })));
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
      // The patient's own change: the plan is no longer the trainer's.
      if (Object.keys(changed).length && planSetter(ctx.store.get().docs)) changed.setBy = null;
      try {
        if (Object.keys(changed).length) await ctx.save(PLAN_ID, 'plan', changed);
        planMsg.textContent = t('settings.planSaved');
      } catch (e) {
        planMsg.textContent = t('finish.saveFailed', { reason: e.message });
      }
    },
  },
  h('h2', { id: 's-plan', text: t('settings.week') }),
  h('p', { class: 'hint', text: t('settings.weekHint') }),
  planSetter(state.docs) ? h('p', { class: 'hint', 'data-testid': 'plan-set-by', text: t('mygroups.planSetBy', { name: planSetter(state.docs).name }) }) : null,
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
      await ctx.account.setLang(lang.value);
    },
  }, h('option', { value: 'nb', text: 'Norsk bokmål', selected: t.lang === 'nb' }), h('option', { value: 'en', text: 'English', selected: t.lang === 'en' }));

  // Heart-rate strap (where the browser has Web Bluetooth) ---------------
  const hr = heartPanel(ctx, () => null, { settings: true });

  // Group ------------------------------------------------------------------
  const code = h('input', { type: 'text', autocapitalize: 'characters', autocomplete: 'off', maxlength: 16, 'data-testid': 'group-code' });
  const groupMsg = h('p', { class: 'hint', role: 'status', 'data-testid': 'group-status' });
  const groupError = h('p', { class: 'error', role: 'alert', 'data-testid': 'group-error' });
  const groupForm = h('form', {
    class: 'form card', 'aria-labelledby': 's-group',
    onsubmit: async (ev) => {
      ev.preventDefault();
      const c = code.value.trim().toUpperCase();
      if (!c) return;
      groupMsg.textContent = '';
      groupError.textContent = '';
      try {
        await ctx.api.post('/groups/join', { code: c });
        groupMsg.textContent = t('settings.groupJoined');
        code.value = '';
      } catch (e) {
        groupError.textContent = e instanceof OfflineError ? t('error.offline')
          : fieldMessage(t, e) || t('settings.groupFailed', { reason: e.message });
      }
    },
  },
  h('h2', { id: 's-group', text: t('settings.group') }),
  field('group-code', t('join.code'), code),
  groupError,
  groupMsg,
  h('button', { type: 'submit', class: 'btn secondary', 'data-testid': 'group-join', text: t('settings.groupJoin') }));

  mount(
    h('h1', { text: t('settings.title') }),
    profileForm,
    planForm,
    remindersSection(ctx),
    h('section', { class: 'card', 'aria-labelledby': 's-lang' },
      h('h2', {}, h('label', { for: 'language', id: 's-lang', text: t('settings.language') })),
      lang),
    groupForm,
    hr ? h('section', { class: 'card', 'aria-labelledby': 's-hr' }, h('h2', { id: 's-hr', text: t('hr.title') }), hr.el) : null,
    myGroups(ctx),
    whoSaw(ctx),
    h('section', { class: 'card', 'aria-labelledby': 's-data' },
      h('h2', { id: 's-data', text: t('settings.data') }),
      h('p', { class: 'hint', text: t('settings.exportHint') }),
      h('button', { type: 'button', class: 'btn secondary', 'data-testid': 'export-data', id: 'export-data', text: t('settings.export'), onclick: () => exportData(ctx) }),
      h('p', { class: 'hint', text: t('report.hint') }),
      h('a', { class: 'btn secondary', href: '/report', role: 'button', 'data-testid': 'open-report', id: 'open-report', text: t('report.open') }),
      h('button', {
        type: 'button', class: 'btn danger apart', 'data-testid': 'sign-out', id: 'sign-out', text: t('settings.signOut'),
        onclick: async () => {
          // Changes the server refused are lost on sign-out too.
          const { pending, rejected } = await ctx.account.unsent();
          const n = pending + rejected.length;
          if (n && !confirm(t('settings.signOutPending', { n }))) return;
          await ctx.account.signOut();
          ctx.navigate('/login', true);
        },
      })),
    eraseSection(ctx),
    h('p', { class: 'muted small center', text: `${t('app.name')} · ${document.getElementById('main').dataset.version || ''}` }),
  );
  if (location.hash === '#plan') document.getElementById('plan')?.scrollIntoView();
  // A profile saved offline reaches the server later, on this screen too
  // (with the server's profile; a refusal comes without, and a toast).
  const unsubscribe = ctx.store.subscribe((s, patch) => {
    if ('pendingProfile' in patch && !s.pendingProfile && profileMsg.textContent === t('settings.profilePending')) {
      profileMsg.textContent = 'profile' in patch ? t('settings.saved') : '';
    }
  });
  return () => {
    unsubscribe();
    if (hr) hr.close();
  };
}

/**
 * eraseSection asks for the password, then for a second tap in the page
 * (no window.confirm: it blocks the page and cannot be styled or read out
 * well), then erases the account on the server and everything on this
 * device.
 */
function eraseSection(ctx) {
  const { t } = ctx;
  const password = h('input', { type: 'password', autocomplete: 'current-password', maxlength: 1024, 'data-testid': 'erase-password' });
  const error = h('p', { class: 'error', role: 'alert', 'data-testid': 'erase-error', id: 'erase-error' });
  const start = h('button', { type: 'submit', class: 'btn danger', 'data-testid': 'erase-start', id: 'erase-start', text: t('erase.start') });
  const confirmBtn = h('button', { type: 'button', class: 'btn danger', 'data-testid': 'erase-confirm', id: 'erase-confirm', text: t('erase.confirm') });
  const cancel = h('button', { type: 'button', class: 'btn secondary', 'data-testid': 'erase-cancel', text: t('erase.cancel') });
  const ask = h('div', { class: 'erase-confirm', hidden: true, 'data-testid': 'erase-ask' },
    h('p', { id: 'erase-ask-text', text: t('erase.sure') }),
    h('div', { class: 'row' }, cancel, confirmBtn));
  confirmBtn.setAttribute('aria-describedby', 'erase-ask-text');

  const showStep = (asking) => {
    ask.hidden = !asking;
    // .btn sets display, which beats the hidden attribute.
    start.style.display = asking ? 'none' : '';
    password.disabled = asking;
    (asking ? confirmBtn : start).focus();
  };
  const fail = (msg) => {
    error.textContent = msg;
    confirmBtn.disabled = false;
    showStep(false);
  };

  cancel.addEventListener('click', () => { error.textContent = ''; showStep(false); });
  confirmBtn.addEventListener('click', async () => {
    if (!navigator.onLine) return fail(t('erase.offline'));
    confirmBtn.disabled = true;
    error.textContent = '';
    try {
      await ctx.api.request('DELETE', '/me', { password: password.value });
    } catch (e) {
      return fail(eraseError(t, e));
    }
    password.value = '';
    await ctx.account.signOut({ erase: true });
    ctx.navigate('/join', true, t('erase.done'));
  });

  return h('form', {
    class: 'form card erase', 'aria-labelledby': 's-erase',
    onsubmit: (ev) => {
      ev.preventDefault();
      error.textContent = '';
      if (!password.value) {
        error.textContent = t('erase.needPassword');
        password.focus();
        return;
      }
      if (!navigator.onLine) {
        error.textContent = t('erase.offline');
        return;
      }
      showStep(true);
    },
  },
  h('h2', { id: 's-erase', text: t('erase.title') }),
  h('p', { text: t('erase.what') }),
  h('p', { class: 'hint', text: t('erase.exportFirst') }),
  field('erase-password', t('erase.password'), password),
  error,
  start,
  ask);
}

/** eraseError says why erasing failed, in the user's words. */
function eraseError(t, e) {
  if (e instanceof OfflineError) return t('erase.offline');
  if (!(e instanceof ApiError)) return t('error.server', { reason: e.message });
  switch (e.code) {
    case 'wrong_password': return t('erase.wrongPassword');
    case 'rate_limited': return t('erase.rateLimited');
    case 'conflict': return t('erase.admin');
    case 'validation_failed': return t('erase.needPassword');
  }
  if (e.status === 401) return t('erase.signedOut');
  return t('error.server', { reason: e.message });
}

async function exportData(ctx) {
  const state = ctx.store.get();
  let server = null;
  let reminders = null;
  try {
    server = await ctx.api.get('/me');
    const [settings, { subscriptions }] = await Promise.all([ctx.api.get('/push/settings'), ctx.api.get('/push/subscriptions')]);
    reminders = { settings, subscriptions };
  } catch (e) {
    if (!(e instanceof OfflineError || e instanceof ApiError)) throw e;
  }
  // The server answers {user, groups}; offline, the user kept here.
  const data = {
    exportedAt: new Date().toISOString(),
    user: (server && server.user) || state.user,
    groups: (server && server.groups) || [],
    profile: ctx.profile(),
    sessions: listSessions(state.docs),
    plan: readPlan(state.docs),
    measurements: listMeasurements(state.docs),
    // Heart-rate traces stay on the phone (the server has only summaries).
    heartRateTraces: await ctx.db.metaByPrefix('hrtrace:'),
    reminders,
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

// myGroups lists the groups the patient belongs to, says plainly what
// each group's trainer sees, and lets the patient share their history or
// leave (the trainer's access ends at once).
function myGroups(ctx) {
  const { t } = ctx;
  const list = h('ul', { class: 'list', 'data-testid': 'my-groups' });
  const error = h('p', { class: 'error', role: 'alert' });
  const fail = (e) => { error.textContent = e instanceof OfflineError ? t('error.offline') : t('error.server', { reason: e.message }); };
  const load = () => ctx.api.get('/me').then((me) => {
    const mine = me.groups.filter((g) => !g.owner);
    list.replaceChildren(...(mine.length ? mine.map((g) => h('li', { class: 'my-group', 'data-testid': 'my-group' },
      h('p', {}, h('strong', { text: g.name }), ' · ', t(g.kind === 'treatment' ? 'mygroups.treatment' : 'mygroups.peer')),
      g.kind === 'peer' ? h('p', {}, h('a', { href: '/group/' + g.id, class: 'btn small', 'data-testid': 'peer-open', text: t('peer.open') })) : null,
      g.kind === 'treatment' ? h('label', { class: 'check' },
        h('input', { type: 'checkbox', checked: g.shareHistory, 'data-testid': 'share-history',
          onchange: (ev) => ctx.api.patch('/me/groups/' + g.id, { shareHistory: ev.target.checked }).catch(fail) }),
        ' ', t('mygroups.shareHistory')) : null,
      g.kind === 'treatment' ? h('label', { class: 'check' },
        h('input', { type: 'checkbox', checked: g.shareNotes, 'data-testid': 'share-notes',
          onchange: (ev) => ctx.api.patch('/me/groups/' + g.id, { shareNotes: ev.target.checked }).catch(fail) }),
        ' ', t('mygroups.shareNotes')) : null,
      h('button', { type: 'button', class: 'btn small danger', 'data-testid': 'leave-group', text: t('mygroups.leave'),
        onclick: () => confirm(t(g.kind === 'peer' ? 'peer.leaveConfirm' : 'mygroups.leaveConfirm', { name: g.name })) && leaveGroup(ctx.db, ctx.api, g.id).then(load, fail) }))) : [h('li', { class: 'muted', text: t('mygroups.none') })]));
  }, fail);
  if (ctx.store.get().user) load();
  return h('section', { class: 'card', 'aria-labelledby': 's-mygroups' },
    h('h2', { id: 's-mygroups', text: t('mygroups.title') }),
    h('p', { class: 'hint', 'data-testid': 'trainer-sees', text: t('mygroups.trainerSees') }),
    invitations(ctx),
    list, error);
}

// whoSaw lists the reads of the patient's data by others, newest first
// ("Hvem har sett mine data").
function whoSaw(ctx) {
  const { t } = ctx;
  const list = h('ul', { class: 'list small', 'data-testid': 'audit-list' });
  const what = (w) => t('audit.' + w.split(':')[0]);
  if (ctx.store.get().user) {
    ctx.api.get('/me/audit').then((res) => {
      list.replaceChildren(...(res.audit.length ? res.audit.slice(0, 50).map((a) => h('li', { 'data-testid': 'audit-entry',
        text: t('audit.entry', { who: a.actorName, what: what(a.what), when: new Date(a.at).toLocaleString(t.lang === 'nb' ? 'nb-NO' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' }) }) })) : [h('li', { class: 'muted', text: t('audit.none') })]));
    }, (e) => { list.replaceChildren(h('li', { class: 'error', text: e instanceof OfflineError ? t('error.offline') : e.message })); });
  }
  return h('section', { class: 'card', 'aria-labelledby': 's-audit' },
    h('h2', { id: 's-audit', text: t('audit.title') }),
    list);
}
