// What the clinic's screens (clinic.js, group.js, patient.js) share: the
// way an API failure is said, a join code shown with its link and QR
// code, and a week strip. No screen of its own.

import { h } from './ui.js';
import { ApiError, OfflineError } from './api.js';
import { fieldMessage } from './fmt.js';

/** problem says what went wrong with an API call, in the user's words. */
export function problem(t, e) {
  if (e instanceof OfflineError) return t('error.offline');
  if (e instanceof ApiError) {
    if (e.status === 404) return t('clinic.notFound');
    if (e.status === 403) return t('clinic.forbidden');
    if (e.status === 422 || e.status === 400) return fieldMessage(t, e) || e.message;
    return t('error.server', { reason: e.message });
  }
  return String((e && e.message) || e);
}

/** joinLink is the link a patient opens to join with code. */
export function joinLink(code) {
  return `${location.origin}/join?code=${encodeURIComponent(code)}`;
}

/**
 * codeCard shows an invite code large, with its join link and the QR code
 * of the link (drawn by the server) for a phone to scan from a tablet.
 */
export function codeCard(t, code, expiresAt, testid = 'invite') {
  const link = joinLink(code);
  return h('div', { class: 'card code-card', 'data-testid': testid },
    h('p', { class: 'label', text: t('clinic.code') }),
    h('p', { class: 'big-code', 'data-testid': testid + '-code', text: code }),
    h('p', { class: 'small' }, h('a', { href: link, 'data-testid': testid + '-link', text: link })),
    h('img', { class: 'qr', src: `/api/v1/invites/${encodeURIComponent(code)}/qr`, alt: t('clinic.qrAlt', { code }), width: 240, height: 240, 'data-testid': testid + '-qr' }),
    expiresAt ? h('p', { class: 'muted small', text: t('clinic.expires', { date: day(t, expiresAt) }) }) : null);
}

/** day writes a date the way the user reads dates. */
export function day(t, iso) {
  if (!iso) return t('clinic.never');
  return new Date(iso).toLocaleDateString(t.lang === 'nb' ? 'nb-NO' : 'en-GB', { day: 'numeric', month: 'short', year: 'numeric' });
}

/** weekState is met, partly or missed against the plan; done without a plan is met. */
export function weekState(w) {
  if (w.planned === 0) return w.sessions > 0 ? 'met' : 'none';
  if (w.sessions >= w.planned) return 'met';
  return w.sessions > 0 ? 'partly' : 'missed';
}

/** strip draws weeks as a row of cells, each saying its week and state. */
export function strip(t, weeks, testid) {
  return h('ol', { class: 'strip', 'data-testid': testid, 'aria-label': t('clinic.stripLabel') },
    weeks.map((w) => {
      const state = weekState(w);
      const text = t('clinic.week.' + state, { week: w.week.slice(6), n: w.sessions, of: w.planned });
      return h('li', { class: 'cell ' + state, title: text }, h('span', { class: 'sr-only', text }));
    }));
}
