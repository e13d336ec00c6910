// A member's peer-group page (/group/<id>): the next group session — when,
// where, the leader's note — "Jeg kommer" / "Ikke denne gangen" in one tap,
// and who else is coming by their chosen names. A session the leader
// cancelled is shown as cancelled (with the reason, and no answer
// buttons); one moved this once at its new time and place. The leader's
// latest notice comes first (groupnotice.js). Then the members, each with
// what they chose to share ("trained this week ✓", the number of sessions
// this week), in the order they joined — encouragement, never a ranking —
// and the reader's own two choices, off until turned on; last, leaving
// the group. An answer given offline is kept on the device and sent with
// the next sync (rsvp.js); the page shows the group as last seen when
// there is no network.

import { h, mount } from './ui.js';
import { dateTime } from './fmt.js';
import { OfflineError } from './api.js';
import { answer, groupKey, leaveGroup, queued } from './rsvp.js';
import { sessionState } from './peersessions.js';
import { noticeCard } from './groupnotice.js';

/** render draws the page. */
export function render(ctx, [id]) {
  const { t } = ctx;
  const title = h('h1', { text: t('app.loading') });
  const notice = h('div', { 'data-testid': 'peer-notice' });
  const body = h('div', { 'data-testid': 'peer-session' });
  const people = h('div');
  const status = h('p', { class: 'muted small', role: 'status', 'data-testid': 'peer-status' });
  const error = h('p', { class: 'error', role: 'alert' });
  const leaving = h('div');
  mount(h('p', {}, h('a', { href: '/settings', text: '← ' + t('nav.settings') })), title, error, notice, body, people, status, leaving);

  const draw = async (g, offline) => {
    title.textContent = g.name;
    document.title = `${g.name} – ${t('app.name')}`;
    drawLeave(g, offline);
    const card = noticeCard(t, g.notice);
    notice.replaceChildren(...(card ? [card] : []));
    drawPeople(g, offline);
    const s = g.nextSession;
    if (!s) {
      body.replaceChildren(h('p', { class: 'muted', 'data-testid': 'peer-no-session', text: t('peer.noSession') }));
      return;
    }
    const mine = (await queued(ctx.db))[id];
    const pending = mine && mine.date === s.date;
    const my = pending ? mine.coming : s.myAnswer;
    const choose = (coming) => answer(ctx.db, ctx.api, id, s.date, coming).then(
      (next) => { status.textContent = ''; keep({ ...g, nextSession: next }); },
      (e) => {
        if (e instanceof OfflineError) { status.textContent = t('peer.queued'); draw(g, true); } else { error.textContent = t('error.server', { reason: e.message }); load(); }
      });
    const button = (coming, key, testid) => h('button', {
      type: 'button', class: 'btn' + (my === coming ? ' primary' : ''), 'aria-pressed': String(my === coming), 'data-testid': testid,
      text: t(key), onclick: () => choose(coming),
    });
    const names = s.comingNames;
    const zone = g.schedule && g.schedule.timeZone;
    // A cancelled session is shown as cancelled, without the answer
    // buttons, and the next one held after it is named.
    const after = s.cancelled && (g.upcoming || []).find((u) => !u.cancelled && u.start > s.start);
    body.replaceChildren(h('section', { class: 'card' + (s.cancelled ? ' is-cancelled' : ''), 'aria-labelledby': 'p-next' },
      h('h2', { id: 'p-next', text: t('peer.next') }),
      h('p', {}, h('strong', { 'data-testid': 'peer-when', text: dateTime(t, s.start, zone) })),
      sessionState(t, s),
      s.place ? h('p', { 'data-testid': 'peer-place', text: t('peer.place', { place: s.place }) }) : null,
      s.note && !s.cancelled ? h('p', { class: 'hint', 'data-testid': 'peer-note', text: s.note }) : null,
      s.cancelled ? null : h('p', { class: 'actions' }, button(true, 'peer.coming', 'peer-yes'), ' ', button(false, 'peer.notThisTime', 'peer-no')),
      s.cancelled ? null : h('p', { 'data-testid': 'peer-coming', text: names.length ? t('peer.whoComing', { n: names.length, names: names.join(', ') }) : t('peer.nobodyYet') }),
      after ? h('p', { 'data-testid': 'peer-after', text: t('peerChange.after', { when: dateTime(t, after.start, zone) }) }) : null));
    if (pending || offline) status.textContent = t('peer.queued');
  };
  // drawPeople lists the members with what each shares, and the reader's
  // own choices: the server sends a member's trainedThisWeek or
  // sessionsThisWeek only when they chose to share it.
  const drawPeople = (g, offline) => {
    const members = g.members || [];
    const me = ctx.store.get().user;
    const mine = members.find((m) => me && m.userId === me.id) || {};
    const share = (key, on) => ctx.api.patch('/me/groups/' + id, { [key]: on }).then(load, (e) => {
      error.textContent = e instanceof OfflineError ? t('groupShare.offline') : t('error.server', { reason: e.message });
      draw(g, offline);
    });
    const toggle = (key, on, label, sees, testid) => h('div', { class: 'share-choice' },
      h('label', { class: 'check' },
        h('input', { type: 'checkbox', role: 'switch', checked: on, disabled: offline, 'data-testid': testid,
          'aria-describedby': testid + '-sees', onchange: (ev) => share(key, ev.target.checked) }),
        ' ', label),
      h('p', { class: 'hint', id: testid + '-sees', text: sees }));
    people.replaceChildren(
      h('section', { class: 'card', 'aria-labelledby': 'p-members' },
        h('h2', { id: 'p-members', text: t('groupShare.members') }),
        h('ul', { class: 'list', 'data-testid': 'peer-members' }, members.length ? members.map((m) => h('li', { class: 'item-row peer-member', 'data-testid': 'peer-member' },
          h('span', { text: (m.name || t('clinic.gone')) + (me && m.userId === me.id ? ' ' + t('groupShare.you') : '') }),
          h('span', { class: 'shared' },
            m.trainedThisWeek ? h('span', { class: 'tick', 'data-testid': 'peer-trained', text: t('groupShare.trained') }) : null,
            m.sessionsThisWeek ? h('span', { class: 'muted', 'data-testid': 'peer-sessions', text: t('groupShare.sessions', { n: m.sessionsThisWeek }) }) : null)))
          : h('li', { class: 'muted', text: t('groupShare.noMembers') }))),
      h('section', { class: 'card', 'aria-labelledby': 'p-share', 'data-testid': 'peer-share' },
        h('h2', { id: 'p-share', text: t('groupShare.title') }),
        h('p', { class: 'hint', text: t('groupShare.intro') }),
        toggle('shareTrained', 'trainedThisWeek' in mine, t('groupShare.trainedLabel'), t('groupShare.trainedSees'), 'share-trained'),
        toggle('shareSessions', 'sessionsThisWeek' in mine, t('groupShare.sessionsLabel'), t('groupShare.sessionsSees'), 'share-sessions'),
        h('p', { class: 'hint', text: t('groupShare.never') })));
  };
  // drawLeave offers to leave the group: the member's answers, ticks and
  // choices go with them, and the phone forgets what it kept of the group.
  // It needs the network, and one tap sends one request.
  const drawLeave = (g, offline) => {
    const failed = h('p', { class: 'error', role: 'alert', 'data-testid': 'peer-leave-error' });
    const button = h('button', { type: 'button', class: 'btn small danger', 'data-testid': 'peer-leave', text: t('mygroups.leave'), disabled: offline });
    button.onclick = () => {
      if (!confirm(t('peer.leaveConfirm', { name: g.name }))) return;
      button.disabled = true;
      failed.textContent = '';
      leaveGroup(ctx.db, ctx.api, id).then(
        () => ctx.navigate('/settings', true, t('peer.left', { name: g.name })),
        (e) => {
          failed.textContent = e instanceof OfflineError ? t('error.offline') : t('error.server', { reason: e.message });
          button.disabled = false;
        });
    };
    leaving.replaceChildren(h('section', { class: 'card', 'aria-labelledby': 'p-leave' },
      h('h2', { id: 'p-leave', text: t('mygroups.leave') }),
      h('p', { class: 'hint', text: t('peer.leaveHint') }),
      h('p', {}, button),
      offline ? h('p', { class: 'muted small', text: t('error.offline') }) : null,
      failed));
  };
  const keep = (g) => { error.textContent = ''; ctx.db.setMeta(groupKey(id), g).catch(() => {}); draw(g, false); };
  const load = () => ctx.api.get('/groups/' + id).then(keep, async (e) => {
    const last = await ctx.db.getMeta(groupKey(id)).catch(() => undefined);
    if (e instanceof OfflineError && last) draw(last, true);
    else error.textContent = e instanceof OfflineError ? t('error.offline') : t('error.server', { reason: e.message });
  });
  load();
}
