// Join and sign in. /join (optionally ?code=ABCD2345 from the trainer's
// link) creates an account, alias allowed; /login signs in, and joins the
// group when a code is given. Sign-in asks for the e-mail (the one this
// device last used filled in) and the password first; the invite code is
// shown on request, or at once when a link brings one.

import { h, mount, field } from './ui.js';
import { ApiError, OfflineError } from './api.js';
import { fieldMessage } from './fmt.js';

// LAST_EMAIL is the local storage key of the e-mail this device last
// signed in with (forgotten when the account is erased).
const LAST_EMAIL = 'lastEmail';

/** render draws the join or login form. */
export function render(ctx, params) {
  const { t } = ctx;
  const q = new URLSearchParams(location.search);
  const mode = params[0] === 'login' ? 'login' : 'join';
  const code = h('input', { type: 'text', autocapitalize: 'characters', autocomplete: 'off', spellcheck: 'false', maxlength: 16, value: (q.get('code') || '').toUpperCase(), 'data-testid': 'join-code' });
  const name = h('input', { type: 'text', autocomplete: 'nickname', maxlength: 80, required: true, 'data-testid': 'join-name' });
  const email = h('input', { type: 'email', autocomplete: 'username', required: true, 'data-testid': 'join-email', value: mode === 'login' ? localStorage.getItem(LAST_EMAIL) || '' : '' });
  const password = h('input', { type: 'password', autocomplete: mode === 'join' ? 'new-password' : 'current-password', required: true, minlength: mode === 'join' ? 8 : undefined, 'data-testid': 'join-password' });
  const error = h('p', { class: 'error', role: 'alert', 'data-testid': 'join-error', id: 'join-error' });
  const submit = h('button', { type: 'submit', class: 'btn primary huge', 'data-testid': 'join-submit', id: 'join-submit', text: mode === 'join' ? t('join.create') : t('join.login') });

  const form = h('form', {
    class: 'form', novalidate: true,
    onsubmit: async (ev) => {
      ev.preventDefault();
      error.textContent = '';
      const c = code.value.trim().toUpperCase();
      if (mode === 'join' && !name.value.trim()) return fail(t('join.needName'), name);
      if (!email.value.includes('@')) return fail(t('join.needEmail'), email);
      if (mode === 'join' && password.value.length < 8) return fail(t('join.shortPassword'), password);
      if (!password.value) return fail(t('join.needPassword'), password);
      submit.disabled = true;
      try {
        if (mode === 'join') {
          const body = { email: email.value.trim(), password: password.value, name: name.value.trim(), language: t.lang };
          if (c) body.inviteCode = c;
          await ctx.api.register(body);
        }
        const res = await ctx.api.login(email.value.trim(), password.value);
        localStorage.setItem(LAST_EMAIL, email.value.trim());
        // Signed in, a code that does not work is said on Today.
        let notice = '';
        if (mode === 'login' && c) {
          try {
            await ctx.api.post('/groups/join', { code: c });
          } catch (e) {
            notice = e instanceof OfflineError ? t('error.offline') : t('join.signedInBadCode');
          }
        }
        await ctx.account.signedIn(res.user);
        ctx.navigate('/', true, notice);
      } catch (e) {
        submit.disabled = false;
        fail(message(t, e));
      }
    },
  },
  mode === 'join' ? field('join-name', t('join.name'), name, t('join.nameHint')) : null,
  field('join-email', t('join.email'), email),
  field('join-password', t('join.password'), password, mode === 'join' ? t('join.passwordHint') : null),
  codeField(),
  error,
  submit);

  // codeField: the invite code, secondary: on sign-in behind a button
  // unless a link brought one.
  function codeField() {
    const f = field('join-code', t('join.code'), code, mode === 'join' ? t('join.codeHint') : t('join.codeHintLogin'));
    if (mode === 'join' || code.value) return f;
    f.hidden = true;
    f.id = 'join-code-field';
    const show = h('button', {
      type: 'button', class: 'btn ghost small', 'data-testid': 'join-show-code', id: 'join-show-code', 'aria-expanded': 'false', 'aria-controls': 'join-code-field',
      text: t('join.haveCode'),
      onclick: () => {
        f.hidden = false;
        show.remove();
        code.focus();
      },
    });
    return h('div', {}, show, f);
  }

  function fail(msg, el) {
    error.textContent = msg;
    if (el) el.focus();
  }

  const other = mode === 'join'
    ? h('p', { class: 'center' }, t('join.haveAccount') + ' ', h('a', { href: '/login' + (code.value ? '?code=' + encodeURIComponent(code.value) : ''), 'data-testid': 'goto-login', id: 'goto-login', text: t('join.login') }))
    : h('p', { class: 'center' }, t('join.noAccount') + ' ', h('a', { href: '/join' + (code.value ? '?code=' + encodeURIComponent(code.value) : ''), 'data-testid': 'goto-join', id: 'goto-join', text: t('join.create') }));

  // Offer the other language before anything else is read.
  const otherLang = t.lang === 'nb' ? 'en' : 'nb';
  const langSwitch = h('p', { class: 'center' }, h('button', {
    type: 'button', class: 'btn ghost small', lang: otherLang, 'data-testid': 'join-language', id: 'join-language',
    text: t('join.otherLanguage'), onclick: () => ctx.account.setLang(otherLang),
  }));

  mount(
    langSwitch,
    h('div', { class: 'hero' },
      h('img', { src: '/icons/icon-192.png', alt: '', width: 72, height: 72 }),
      h('h1', { text: mode === 'join' ? t('join.title') : t('join.loginTitle') }),
      h('p', { class: 'lead', text: mode === 'join' ? t('join.lead') : t('join.loginLead') })),
    form,
    other,
    h('p', { class: 'muted small center', text: t('join.privacy') }),
  );
  if (mode === 'login' && email.value) password.focus({ preventScroll: true });
}

function message(t, e) {
  if (e instanceof OfflineError) return t('error.offline');
  if (e instanceof ApiError) {
    if (e.status === 401) return t('join.wrong');
    if (e.status === 429) return e.retryAfter ? t('join.tooManyWait', { n: e.retryAfter }) : t('join.tooMany');
    if (e.status === 409) return t('join.taken');
    if (e.code && /invite|code/.test(e.code)) return t('join.badCode');
    if (e.status === 400 || e.status === 422) return fieldMessage(t, e) || t('join.invalid', { reason: e.message });
    return t('error.server', { reason: e.message });
  }
  return String(e.message || e);
}
