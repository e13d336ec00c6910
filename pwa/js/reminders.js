// Settings → Reminders: its own section, drawn by the settings screen.
// Turning reminders on is the user gesture that asks for the notification
// permission (never before), then subscribes this browser; each kind of
// reminder can be turned off; "Send en testpåminnelse" shows what they look
// like. iOS shows web notifications only for an app added to the home
// screen, which the section explains there.

import { h, field } from './ui.js';
import { subscribe, unsubscribe } from './notify.js';
import { ApiError, OfflineError } from './api.js';

const KINDS = ['slot', 'nudge', 'groupsession', 'notice'];
const LEADS = [15, 30, 60, 120];

/** pushState tells what this browser can do about reminders. */
function pushState() {
  const ios = /iPhone|iPad|iPod/.test(navigator.userAgent) || (navigator.platform === 'MacIntel' && navigator.maxTouchPoints > 1);
  const standalone = navigator.standalone === true || matchMedia('(display-mode: standalone)').matches;
  const supported = 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
  return { ios, standalone, supported };
}

async function registration() {
  return navigator.serviceWorker.ready;
}

/** remindersSection returns the section; it loads its state as it shows. */
export function remindersSection(ctx) {
  const { t, api } = ctx;
  const env = pushState();
  const status = h('p', { class: 'hint', role: 'status', 'data-testid': 'reminders-status' });
  const error = h('p', { class: 'error', role: 'alert', 'data-testid': 'reminders-error' });
  const on = h('input', { type: 'checkbox', id: 'reminders-on', 'data-testid': 'reminders-on', disabled: !env.supported });
  const kinds = Object.fromEntries(KINDS.map((k) => [k, h('input', { type: 'checkbox', id: 'reminders-kind-' + k, 'data-testid': 'reminders-kind-' + k, checked: true })]));
  const lead = h('select', { 'data-testid': 'reminders-lead' }, LEADS.map((m) => h('option', { value: m, text: t('reminders.lead.' + m) })));
  const test = h('button', { type: 'button', class: 'btn secondary', 'data-testid': 'reminders-test', id: 'reminders-test', text: t('reminders.test') });
  const details = h('div', { class: 'reminders-details', 'data-testid': 'reminders-details' },
    h('p', { class: 'label-like', text: t('reminders.kinds') }),
    KINDS.map((k) => h('label', { class: 'check', for: 'reminders-kind-' + k }, kinds[k], h('span', { text: t('reminders.kind.' + k) }))),
    field('reminders-lead', t('reminders.leadLabel'), lead),
    h('p', { class: 'hint', 'data-testid': 'reminders-quiet' }),
    test);
  let settings = null;

  const say = (msg) => { status.textContent = msg; error.textContent = ''; };
  const fail = (e) => {
    status.textContent = '';
    error.textContent = e instanceof OfflineError ? t('error.offline')
      : e instanceof ApiError ? t('error.server', { reason: e.message }) : t('reminders.failed', { reason: (e && e.message) || String(e) });
  };
  const show = (enabled) => {
    on.checked = enabled;
    details.hidden = !enabled;
  };
  const fill = (s) => {
    settings = s;
    for (const k of KINDS) kinds[k].checked = !s.off.includes(k);
    lead.value = String(LEADS.includes(s.leadMinutes) ? s.leadMinutes : 60);
    details.querySelector('[data-testid="reminders-quiet"]').textContent = t('reminders.quiet', { from: s.quietStart, to: s.quietEnd });
  };
  const save = async () => {
    if (!settings) return;
    const next = { off: KINDS.filter((k) => !kinds[k].checked), leadMinutes: Number(lead.value), quietStart: settings.quietStart, quietEnd: settings.quietEnd };
    try {
      fill(await api.request('PUT', '/push/settings', next));
      say(t('reminders.saved'));
    } catch (e) {
      fail(e);
    }
  };
  for (const k of KINDS) kinds[k].addEventListener('change', save);
  lead.addEventListener('change', save);

  on.addEventListener('change', async () => {
    error.textContent = '';
    if (!on.checked) {
      try {
        await unsubscribe(api, await registration());
        show(false);
        say(t('reminders.off'));
      } catch (e) {
        show(true);
        fail(e);
      }
      return;
    }
    // The permission prompt comes from this tap, and only now.
    const permission = await Notification.requestPermission();
    if (permission !== 'granted') {
      show(false);
      error.textContent = t(permission === 'denied' ? 'reminders.blocked' : 'reminders.notAllowed');
      return;
    }
    try {
      await subscribe(api, await registration());
      show(true);
      say(t('reminders.on'));
    } catch (e) {
      show(false);
      fail(e);
    }
  });

  test.addEventListener('click', async () => {
    test.disabled = true;
    try {
      const r = await api.post('/push/test');
      if (r.failed === 0) say(t('reminders.testSent', { n: r.sent }));
      else error.textContent = t('reminders.testFailed', { sent: r.sent, failed: r.failed, reason: r.failures.map((f) => f.reason).join('; ') });
    } catch (e) {
      fail(e);
    } finally {
      test.disabled = false;
    }
  });

  show(false);
  if (env.supported) {
    (async () => {
      const granted = Notification.permission === 'granted';
      const sub = granted ? await (await registration()).pushManager.getSubscription() : null;
      show(Boolean(sub));
      fill(await api.get('/push/settings'));
    })().catch(() => {});
  }

  return h('section', { class: 'card reminders', 'aria-labelledby': 's-reminders', 'data-testid': 'reminders' },
    h('h2', { id: 's-reminders', text: t('reminders.title') }),
    h('p', { class: 'hint', text: t('reminders.what') }),
    env.ios && !env.standalone ? h('p', { class: 'note', 'data-testid': 'reminders-ios', text: t('reminders.ios') }) : null,
    !env.supported && !env.ios ? h('p', { class: 'note', text: t('reminders.unsupported') }) : null,
    h('label', { class: 'check', for: 'reminders-on' }, on, h('span', { text: t('reminders.enable') })),
    details,
    error,
    status);
}
