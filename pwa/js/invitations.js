// A patient's invitations to peer groups, handed by their trainer: the
// group's name, its weekly session and who invited, with "Bli med" and
// "Nei takk". Today and Settings → my groups show them; nothing happens
// without the patient's tap. Accepting joins with the peer group's code
// (the server checks it still works) and opens the group's page. No
// screen of its own.

import { h } from './ui.js';
import { weekday } from './fmt.js';
import { ApiError, OfflineError } from './api.js';

/** sessionText says a peer group's weekly session: "Hver onsdag kl. 18:00 · Parken". */
export function sessionText(t, schedule) {
  if (!schedule) return t('handover.noSession');
  const when = t('handover.weekly', { day: weekday(t, schedule.weekday), time: schedule.time });
  return schedule.place ? `${when} · ${schedule.place}` : when;
}

/**
 * invitations returns a section that fills itself with the signed-in
 * patient's standing invitations; it stays empty (and hidden) when there
 * are none, offline, or for staff.
 */
export function invitations(ctx) {
  const { t } = ctx;
  const box = h('div', { 'data-testid': 'invitations', hidden: true });
  const state = ctx.store.get();
  if (!state.user || state.user.role !== 'patient' || !navigator.onLine) return box;
  const draw = (list) => {
    box.hidden = !list.length;
    box.replaceChildren(...list.map((inv) => card(inv)));
  };
  const load = () => ctx.api.get('/me/invitations').then((res) => draw(res.invitations), () => draw([]));

  function card(inv) {
    const g = inv.group;
    const error = h('p', { class: 'error', role: 'alert' });
    const buttons = [];
    const act = (run) => async () => {
      error.textContent = '';
      buttons.forEach((b) => { b.disabled = true; });
      try { await run(); } catch (e) {
        buttons.forEach((b) => { b.disabled = false; });
        if (e instanceof ApiError && e.status === 404) { error.textContent = t('handover.expired'); load(); return; }
        error.textContent = e instanceof OfflineError ? t('error.offline') : t('error.server', { reason: e.message });
      }
    };
    const join = h('button', { type: 'button', class: 'btn primary', 'data-testid': 'invitation-accept', text: t('handover.accept'),
      onclick: act(async () => {
        const joined = await ctx.api.post(`/me/invitations/${inv.id}/accept`);
        ctx.navigate('/group/' + joined.id, false, t('handover.joined', { group: joined.name }));
      }) });
    const no = h('button', { type: 'button', class: 'btn', 'data-testid': 'invitation-decline', text: t('handover.decline'),
      onclick: act(async () => { await ctx.api.request('DELETE', '/me/invitations/' + inv.id); await load(); }) });
    buttons.push(join, no);
    const id = 'inv-' + inv.id;
    return h('section', { class: 'card invitation', 'aria-labelledby': id, 'data-testid': 'invitation' },
      h('p', { class: 'label', text: t('handover.invitation') }),
      h('h2', { id, 'data-testid': 'invitation-group', text: g.name }),
      h('p', { 'data-testid': 'invitation-session', text: sessionText(t, g.schedule) }),
      g.schedule && g.schedule.note ? h('p', { class: 'hint', text: g.schedule.note }) : null,
      h('p', { class: 'small', 'data-testid': 'invitation-from', text: inv.invitedBy
        ? t('handover.from', { trainer: inv.invitedBy, leader: g.leaderName })
        : t('handover.fromGone', { leader: g.leaderName }) }),
      h('p', { class: 'hint', text: t('handover.yourChoice') }),
      h('div', { class: 'card-actions' }, join, no),
      error);
  }
  load();
  return box;
}
