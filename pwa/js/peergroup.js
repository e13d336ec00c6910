// A member's peer-group page (/group/<id>): the next group session — when,
// where, the leader's note — "Jeg kommer" / "Ikke denne gangen" in one tap,
// and who else is coming by their chosen names. A session the leader
// cancelled is shown as cancelled (with the reason, and no answer
// buttons); one moved this once at its new time and place. An answer
// given offline is kept on the device and sent with the next sync
// (rsvp.js); the leader's latest notice comes first (groupnotice.js). The
// page shows the group as last seen when there is no network.

import { h, mount } from './ui.js';
import { dateTime } from './fmt.js';
import { OfflineError } from './api.js';
import { answer, queued } from './rsvp.js';
import { sessionState } from './peersessions.js';
import { noticeCard } from './groupnotice.js';

const CACHE = 'peergroup:';

/** render draws the page. */
export function render(ctx, [id]) {
  const { t } = ctx;
  const title = h('h1', { text: t('app.loading') });
  const notice = h('div', { 'data-testid': 'peer-notice' });
  const body = h('div', { 'data-testid': 'peer-session' });
  const status = h('p', { class: 'muted small', role: 'status', 'data-testid': 'peer-status' });
  const error = h('p', { class: 'error', role: 'alert' });
  mount(h('p', {}, h('a', { href: '/settings', text: '← ' + t('nav.settings') })), title, error, notice, body, status);

  const draw = async (g, offline) => {
    title.textContent = g.name;
    document.title = `${g.name} – ${t('app.name')}`;
    const card = noticeCard(t, g.notice);
    notice.replaceChildren(...(card ? [card] : []));
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
  const keep = (g) => { ctx.db.setMeta(CACHE + id, g).catch(() => {}); draw(g, false); };
  const load = () => ctx.api.get('/groups/' + id).then(keep, async (e) => {
    const last = await ctx.db.getMeta(CACHE + id).catch(() => undefined);
    if (e instanceof OfflineError && last) draw(last, true);
    else error.textContent = e instanceof OfflineError ? t('error.offline') : t('error.server', { reason: e.message });
  });
  load();
}
