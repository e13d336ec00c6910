// The peer leader's upcoming group sessions, a card on the group page:
// each session with how many are coming, and «Avlys» (cancel it, with an
// optional short reason), «Endre» (another day of that week, time or place
// this once) and «Angre» (hold it as scheduled again). The weekly schedule
// itself stays as it is.

import { h, field, timeControl } from './ui.js';
import { dateTime } from './fmt.js';

/** weekOf lists the seven days ("YYYY-MM-DD") of the ISO week of date. */
function weekOf(date) {
  const d = new Date(date + 'T00:00:00Z');
  const monday = d.getTime() - ((d.getUTCDay() + 6) % 7) * 86400000;
  return Array.from({ length: 7 }, (_, i) => new Date(monday + i * 86400000).toISOString().slice(0, 10));
}

/** sessionState says what is special about session s this time, or null. */
export function sessionState(t, s) {
  if (s.cancelled) return h('p', { class: 'session-state cancelled', 'data-testid': 'session-cancelled', text: s.reason ? t('peerChange.cancelledBecause', { reason: s.reason }) : t('peerChange.cancelled') });
  if (s.moved) return h('p', { class: 'session-state moved', 'data-testid': 'session-moved', text: t('peerChange.moved') });
  return null;
}

/**
 * upcomingCard returns the card for group g (with its schedule and
 * upcoming sessions); after a change it calls done(), on a refusal fail(e).
 */
export function upcomingCard(ctx, g, { done, fail }) {
  const { t } = ctx;
  const sc = g.schedule;
  const send = (method, date, body) => ctx.api.request(method, `/groups/${g.id}/sessions/${date}`, body).then(done, fail);
  const btn = (key, testid, onclick, cls = '') => h('button', { type: 'button', class: 'btn small ' + cls, 'data-testid': testid, text: t(key), onclick });

  const row = (s) => {
    const li = h('li', { class: 'session-row', 'data-testid': 'upcoming-session', 'data-date': s.regularDate });
    const when = () => h('span', {}, h('strong', { text: dateTime(t, s.start, sc.timeZone) }), s.place ? ' · ' + s.place : '');
    const show = () => li.replaceChildren(...[
      h('p', {}, when()),
      sessionState(t, s),
      s.cancelled ? null : h('p', { class: 'muted small', 'data-testid': 'upcoming-coming', text: t('peerChange.coming', { n: s.coming }) }),
      h('p', { class: 'actions' },
        s.cancelled ? null : btn('peerChange.cancel', 'session-cancel', cancelForm, 'danger'),
        s.cancelled ? null : btn('peerChange.change', 'session-change', moveForm),
        s.cancelled || s.moved ? btn('peerChange.undo', 'session-undo', () => send('DELETE', s.regularDate)) : null),
    ].filter(Boolean));
    const cancelForm = () => {
      const reason = h('input', { type: 'text', maxlength: 140, 'data-testid': 'session-reason', id: 'reason-' + s.regularDate });
      li.replaceChildren(when(), h('form', { class: 'form', novalidate: true, onsubmit: (ev) => {
        ev.preventDefault();
        send('PUT', s.regularDate, { cancelled: true, reason: reason.value.trim() });
      } },
      field('reason-' + s.regularDate, t('peerChange.reasonLabel'), reason, t('peerChange.reasonHint')),
      h('p', { class: 'card-actions' },
        h('button', { type: 'submit', class: 'btn danger', 'data-testid': 'session-cancel-confirm', text: t('peerChange.confirmCancel') }),
        btn('peerChange.back', 'session-back', show))));
      reason.focus();
    };
    const moveForm = () => {
      const ids = { day: 'move-day-' + s.regularDate, time: 'move-time-' + s.regularDate, place: 'move-place-' + s.regularDate };
      const dayFmt = new Intl.DateTimeFormat(t.locale, { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' });
      const day = h('select', { id: ids.day, 'data-testid': 'move-day' }, weekOf(s.regularDate).map((d) => h('option', {
        value: d, selected: d === s.date, text: dayFmt.format(new Date(d + 'T00:00:00Z')) })));
      const time = timeControl(s.time, { testid: 'move-time', step: 5, hourLabel: t('time.hour'), minuteLabel: t('time.minute') });
      const place = h('input', { type: 'text', maxlength: 120, value: s.place, id: ids.place, 'data-testid': 'move-place' });
      li.replaceChildren(when(), h('form', { class: 'form', novalidate: true, onsubmit: (ev) => {
        ev.preventDefault();
        const body = {};
        if (day.value !== s.regularDate) body.date = day.value;
        if (time.value !== sc.time) body.time = time.value;
        if (place.value.trim() !== sc.place) body.place = place.value.trim();
        if (Object.keys(body).length) send('PUT', s.regularDate, body);
        else if (s.moved) send('DELETE', s.regularDate); // back to the schedule
        else show();
      } },
      field(ids.day, t('peerChange.day'), day),
      field(ids.time, t('peer.time'), time),
      field(ids.place, t('peer.placeLabel'), place),
      h('p', { class: 'card-actions' },
        h('button', { type: 'submit', class: 'btn primary', 'data-testid': 'move-save', text: t('peerChange.save') }),
        btn('peerChange.back', 'session-back', show))));
    };
    show();
    return li;
  };

  return h('section', { class: 'card', 'aria-labelledby': 'g-upcoming', 'data-testid': 'leader-upcoming' },
    h('h2', { id: 'g-upcoming', text: t('peerChange.upcoming') }),
    h('p', { class: 'muted small', text: t('peerChange.hint') }),
    h('ul', { class: 'list' }, (g.upcoming || []).map(row)));
}
