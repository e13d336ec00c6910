// The staff's home (/clinic): the groups one leads, a new group, and for an
// admin the console: inviting trainers and peer leaders, their invites,
// the staff with how many patients each leads, demoting or removing one,
// and a password-reset code for anyone.

import { h, mount, field } from './ui.js';
import { codeCard, day, problem } from './staffui.js';

/** render draws the staff home. */
export function render(ctx) {
  const { t } = ctx;
  const user = ctx.store.get().user || {};
  const admin = user.role === 'admin';
  const error = h('p', { class: 'error', role: 'alert', 'data-testid': 'clinic-error' });
  const fail = (e) => { error.textContent = problem(t, e); };

  const groups = h('ul', { class: 'list', 'data-testid': 'clinic-groups' }, h('li', { class: 'loading', text: t('app.loading') }));
  const loadGroups = () => ctx.api.get('/me').then((me) => {
    const led = me.groups.filter((g) => g.owner);
    groups.replaceChildren(...(led.length ? led.map((g) => h('li', {},
      h('a', { class: 'row-link', href: '/clinic/group/' + g.id, 'data-testid': 'group-link' },
        h('strong', { text: g.name }), ' ', h('span', { class: 'muted', text: t('clinic.kind.' + g.kind) + (g.archivedAt ? ' · ' + t('clinic.archived') : '') })))) : [h('li', { class: 'muted', text: t('clinic.noGroups') })]));
  }, fail);

  const kinds = admin ? ['treatment', 'peer'] : user.role === 'peer_leader' ? ['peer'] : ['treatment'];
  const name = h('input', { type: 'text', maxlength: 64, required: true, 'data-testid': 'group-name' });
  const kind = h('select', { 'data-testid': 'group-kind' }, kinds.map((k) => h('option', { value: k, text: t('clinic.kind.' + k) })));
  const created = h('div');
  const createForm = h('form', {
    class: 'form card', novalidate: true,
    onsubmit: async (ev) => {
      ev.preventDefault();
      error.textContent = '';
      if (!name.value.trim()) { name.focus(); return; }
      try {
        const g = await ctx.api.post('/groups', { name: name.value.trim(), kind: kind.value });
        name.value = '';
        created.replaceChildren(h('p', { text: t('clinic.groupCreated', { name: g.name }) }), codeCard(t, g.inviteCode, g.inviteExpiresAt, 'new-group-invite'));
        loadGroups();
      } catch (e) { fail(e); }
    },
  },
  h('h2', { text: t('clinic.newGroup') }),
  field('group-name', t('clinic.groupName'), name),
  kinds.length > 1 ? field('group-kind', t('clinic.groupKind'), kind) : null,
  h('button', { type: 'submit', class: 'btn primary', 'data-testid': 'group-create', text: t('clinic.createGroup') }));

  const menu = h('nav', { class: 'clinic-menu', 'aria-label': t('clinic.menu') },
    h('a', { class: 'btn ghost small', href: '/today', 'data-testid': 'own-diary', text: t('clinic.ownDiary') }),
    h('a', { class: 'btn ghost small', href: '/settings', 'data-testid': 'clinic-settings', text: t('nav.settings') }));

  mount(
    h('h1', { text: admin ? t('clinic.adminTitle') : t('clinic.title') }),
    menu,
    error,
    admin ? adminConsole(ctx, fail) : null,
    h('section', { class: 'card', 'aria-labelledby': 'c-groups' }, h('h2', { id: 'c-groups', text: t('clinic.groups') }), groups),
    createForm,
    created,
  );
  loadGroups();
}

// adminConsole is the admin's part of the home: staff invites and staff.
function adminConsole(ctx, fail) {
  const { t } = ctx;
  const role = h('select', { 'data-testid': 'invite-role' },
    h('option', { value: 'trainer', text: t('clinic.role.trainer') }),
    h('option', { value: 'peer_leader', text: t('clinic.role.peer_leader') }));
  const issued = h('div');
  const invites = h('ul', { class: 'list', 'data-testid': 'invite-list' });
  const staff = h('ul', { class: 'list', 'data-testid': 'staff-list' });

  const loadInvites = () => ctx.api.get('/invites').then((res) => {
    const open = res.invites.filter((i) => i.usable && !i.groupId);
    invites.replaceChildren(...(open.length ? open.map((i) => h('li', { class: 'item-row' },
      h('span', {}, h('strong', { class: 'mono', text: i.code }), ' ', t('clinic.role.' + i.role), ' · ', t('clinic.expires', { date: day(t, i.expiresAt) })),
      h('button', { type: 'button', class: 'btn small', 'data-testid': 'invite-revoke', text: t('clinic.revoke'),
        onclick: () => ctx.api.request('DELETE', '/invites/' + i.code).then(loadInvites, fail) }))) : [h('li', { class: 'muted', text: t('clinic.noInvites') })]));
  }, fail);

  const loadStaff = () => ctx.api.get('/staff').then((res) => {
    staff.replaceChildren(...res.staff.map((s) => {
      const out = h('p', { class: 'small', role: 'status' });
      const lead = s.role === 'trainer' || s.role === 'peer_leader';
      return h('li', { class: 'item-row', 'data-testid': 'staff-row' },
        h('span', {}, h('strong', { text: s.name }), ' ', t('clinic.role.' + s.role), ' · ', t('clinic.patients', { n: s.patients })),
        h('span', { class: 'actions' },
          lead ? h('button', { type: 'button', class: 'btn small', 'data-testid': 'staff-demote', text: t('clinic.demote'),
            onclick: () => confirm(t('clinic.demoteConfirm', { name: s.name })) && ctx.api.patch('/staff/' + s.id, { role: 'patient' }).then(loadStaff, fail) }) : null,
          lead ? h('button', { type: 'button', class: 'btn small danger', 'data-testid': 'staff-remove', text: t('clinic.remove'),
            onclick: () => confirm(t('clinic.removeConfirm', { name: s.name })) && ctx.api.request('DELETE', '/staff/' + s.id).then(loadStaff, fail) }) : null,
          s.role !== 'admin' ? h('button', { type: 'button', class: 'btn small', 'data-testid': 'staff-reset', text: t('clinic.resetCode'),
            onclick: () => ctx.api.post(`/users/${s.id}/reset-code`).then((r) => { out.textContent = t('clinic.resetIssued', { code: r.code, date: day(t, r.expiresAt) }); }, fail) }) : null),
        out);
    }));
  }, fail);

  loadInvites();
  loadStaff();
  return h('div', { class: 'admin' },
    h('section', { class: 'card', 'aria-labelledby': 'c-invite' },
      h('h2', { id: 'c-invite', text: t('clinic.inviteStaff') }),
      field('invite-role', t('clinic.inviteRole'), role),
      h('button', { type: 'button', class: 'btn primary', 'data-testid': 'invite-create', text: t('clinic.createInvite'),
        onclick: () => ctx.api.post('/invites', { role: role.value }).then((inv) => { issued.replaceChildren(codeCard(t, inv.code, inv.expiresAt, 'staff-invite')); loadInvites(); }, fail) }),
      issued,
      h('h3', { text: t('clinic.openInvites') }),
      invites),
    h('section', { class: 'card', 'aria-labelledby': 'c-staff' },
      h('h2', { id: 'c-staff', text: t('clinic.staff') }),
      staff));
}
