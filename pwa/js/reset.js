// "Glemt passord?" (/reset): no e-mail is sent. The patient's trainer or an
// admin gives a one-time code; with it and the e-mail the patient sets a
// new password, and is signed out on every other device.

import { h, mount, field } from './ui.js';
import { ApiError, OfflineError } from './api.js';

/** render draws the reset form. */
export function render(ctx) {
  const { t } = ctx;
  const q = new URLSearchParams(location.search);
  const email = h('input', { type: 'email', autocomplete: 'username', required: true, value: q.get('email') || '', 'data-testid': 'reset-email' });
  const code = h('input', { type: 'text', autocapitalize: 'characters', autocomplete: 'one-time-code', spellcheck: 'false', maxlength: 20, required: true, 'data-testid': 'reset-code-input' });
  const password = h('input', { type: 'password', autocomplete: 'new-password', minlength: 8, required: true, 'data-testid': 'reset-password' });
  const error = h('p', { class: 'error', role: 'alert', 'data-testid': 'reset-error' });
  const submit = h('button', { type: 'submit', class: 'btn primary huge', 'data-testid': 'reset-submit', text: t('reset.submit') });
  mount(
    h('div', { class: 'hero' },
      h('h1', { text: t('reset.title') }),
      h('p', { class: 'lead', text: t('reset.lead') })),
    h('form', {
      class: 'form', novalidate: true,
      onsubmit: async (ev) => {
        ev.preventDefault();
        error.textContent = '';
        if (password.value.length < 8) { error.textContent = t('join.shortPassword'); password.focus(); return; }
        submit.disabled = true;
        try {
          await ctx.api.send('POST', '/auth/reset', { email: email.value.trim(), code: code.value.trim(), password: password.value });
          const res = await ctx.api.login(email.value.trim(), password.value);
          await ctx.account.signedIn(res.user);
          ctx.navigate('/', true, t('reset.done'));
        } catch (e) {
          submit.disabled = false;
          error.textContent = e instanceof OfflineError ? t('error.offline')
            : e instanceof ApiError && e.status === 429 ? t('join.tooMany')
              : e instanceof ApiError && e.status === 422 ? t('reset.bad') : t('error.server', { reason: e.message });
        }
      },
    },
    field('reset-email', t('join.email'), email),
    field('reset-code-input', t('reset.code'), code, t('reset.codeHint')),
    field('reset-password', t('reset.password'), password, t('join.passwordHint')),
    error, submit),
    h('p', { class: 'center' }, h('a', { href: '/login', 'data-testid': 'reset-back', text: t('join.login') })));
}
