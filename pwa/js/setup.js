// First run (/setup#<token>): the link the server printed when it found no
// admin. Whoever opens it creates the first admin; the link works once.

import { h, mount, field } from './ui.js';
import { problem } from './staffui.js';

/** render draws the first-admin form. */
export function render(ctx) {
  const { t } = ctx;
  const token = location.hash.slice(1);
  const name = h('input', { type: 'text', autocomplete: 'name', maxlength: 64, required: true, 'data-testid': 'setup-name' });
  const email = h('input', { type: 'email', autocomplete: 'username', required: true, 'data-testid': 'setup-email' });
  const password = h('input', { type: 'password', autocomplete: 'new-password', minlength: 8, required: true, 'data-testid': 'setup-password' });
  const error = h('p', { class: 'error', role: 'alert', 'data-testid': 'setup-error' });
  const submit = h('button', { type: 'submit', class: 'btn primary huge', 'data-testid': 'setup-submit', text: t('setup.create') });
  mount(
    h('div', { class: 'hero' },
      h('img', { src: '/icons/icon-192.png', alt: '', width: 72, height: 72 }),
      h('h1', { text: t('setup.title') }),
      h('p', { class: 'lead', text: token ? t('setup.lead') : t('setup.noToken') })),
    h('form', {
      class: 'form', novalidate: true,
      onsubmit: async (ev) => {
        ev.preventDefault();
        error.textContent = '';
        if (password.value.length < 8) { error.textContent = t('join.shortPassword'); password.focus(); return; }
        submit.disabled = true;
        try {
          await ctx.api.send('POST', '/setup', { token, name: name.value.trim(), email: email.value.trim(), password: password.value });
          const res = await ctx.api.login(email.value.trim(), password.value);
          history.replaceState(null, '', '/setup');
          await ctx.account.signedIn(res.user);
          ctx.navigate('/clinic', true, t('setup.done'));
        } catch (e) {
          submit.disabled = false;
          error.textContent = problem(t, e);
        }
      },
    },
    field('setup-name', t('setup.name'), name),
    field('setup-email', t('join.email'), email),
    field('setup-password', t('join.password'), password, t('join.passwordHint')),
    error, submit));
}
