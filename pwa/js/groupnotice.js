// A peer group's notice: the card its members see on the group page, and
// the leader's form that posts or removes it. Characters are counted as
// the server counts them (code points, after trimming), 280 at most. No
// screen of its own: the member's page (peergroup.js) and the leader's
// (group.js) both draw from here.

import { h, field } from './ui.js';
import { dateTime } from './fmt.js';

/** NOTICE_MAX is the longest notice, in characters. */
export const NOTICE_MAX = 280;

/** noticeLength counts a notice's characters as the server does. */
export function noticeLength(text) {
  return [...String(text).trim()].length;
}

/**
 * postedWhen says when a notice was posted, on the device's clock:
 * "i dag 14:05", "i går 09:30", else the weekday, date and time.
 */
export function postedWhen(t, iso, now = new Date()) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const time = new Intl.DateTimeFormat(t.locale, { hour: '2-digit', minute: '2-digit' }).format(d);
  const midnight = (x) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
  const days = Math.round((midnight(now) - midnight(d)) / 86400000);
  if (days === 0) return t('notice.today', { time });
  if (days === 1) return t('notice.yesterday', { time });
  return dateTime(t, iso);
}

/** NOTICE_DAYS is how long the server shows a notice (account.NoticeTTL). */
export const NOTICE_DAYS = 7;

/** noticeFresh reports whether there is a notice the server still shows. */
export function noticeFresh(notice, now = new Date()) {
  return Boolean(notice) && now - new Date(notice.postedAt) < NOTICE_DAYS * 86400000;
}

/**
 * noticeCard is the notice as the group's members see it; null without
 * one, or when it has expired (a group kept on the phone while offline
 * may hold a notice the server no longer shows).
 */
export function noticeCard(t, notice, now = new Date()) {
  if (!noticeFresh(notice, now)) return null;
  const when = postedWhen(t, notice.postedAt, now);
  return h('section', { class: 'card group-notice', 'aria-labelledby': 'notice-title', 'data-testid': 'notice-card' },
    h('h2', { id: 'notice-title', text: t('notice.title') }),
    h('p', { class: 'group-notice-text', 'data-testid': 'notice-text', text: notice.text }),
    h('p', { class: 'muted small', 'data-testid': 'notice-when', text: notice.by ? t('notice.postedBy', { name: notice.by, when }) : when }));
}

/**
 * noticeEditor is the leader's section: the notice members see now, with
 * a button that removes it, and the form that posts a new one in its
 * place. done(message) runs after a change went through; fail(error) when
 * it did not. said is a message to show (what the last change did).
 */
export function noticeEditor(ctx, id, notice, { done, fail, said = '' }) {
  const { t } = ctx;
  const input = h('textarea', { rows: 3, 'data-testid': 'notice-input' });
  const post = h('button', { type: 'submit', class: 'btn primary', 'data-testid': 'notice-post', text: t('notice.post') });
  const control = field('notice-input', t('notice.label'), input, ' ');
  const counter = control.querySelector('.hint');
  counter.setAttribute('data-testid', 'notice-count');
  const count = () => {
    const n = noticeLength(input.value);
    counter.textContent = t(n > NOTICE_MAX ? 'notice.tooLong' : 'notice.count', { n, max: NOTICE_MAX });
    counter.classList.toggle('over', n > NOTICE_MAX);
    post.disabled = n === 0 || n > NOTICE_MAX;
  };
  input.addEventListener('input', count);
  count();
  const send = (ev) => {
    ev.preventDefault();
    if (post.disabled) return;
    post.disabled = true;
    ctx.api.request('PUT', `/groups/${id}/notice`, { text: input.value })
      .then(() => done(t('notice.sent')), (e) => { count(); fail(e); });
  };
  const remove = () => ctx.api.request('DELETE', `/groups/${id}/notice`).then(() => done(t('notice.removed')), fail);
  return h('section', { class: 'card', 'aria-labelledby': 'g-notice', 'data-testid': 'leader-notice' },
    h('h2', { id: 'g-notice', text: t('notice.leaderTitle') }),
    h('p', { class: 'hint', text: t('notice.leaderHint') }),
    notice
      ? h('div', { class: 'group-notice', 'data-testid': 'leader-notice-current' },
        h('p', { class: 'label-like', text: t('notice.current') }),
        h('p', { class: 'group-notice-text', text: notice.text }),
        h('p', { class: 'muted small', text: postedWhen(t, notice.postedAt) }),
        h('button', { type: 'button', class: 'btn small danger', 'data-testid': 'notice-remove', text: t('notice.remove'), onclick: remove }))
      : h('p', { class: 'muted', 'data-testid': 'leader-notice-none', text: t('notice.none') }),
    h('form', { class: 'form', novalidate: true, onsubmit: send }, control, post),
    h('p', { class: 'muted small', role: 'status', 'data-testid': 'notice-status', text: said }));
}
