// Formatting of dates, weekdays, numbers and server refusals for the
// current language.

/** dateTime formats an RFC 3339 time as e.g. "tirsdag 3. mars kl. 17:05". */
export function dateTime(t, iso, timeZone) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const opts = { weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' };
  try {
    return new Intl.DateTimeFormat(t.locale, { ...opts, timeZone }).format(d);
  } catch {
    return new Intl.DateTimeFormat(t.locale, opts).format(d);
  }
}

/** shortDate formats e.g. "3. mars". */
export function shortDate(t, iso, timeZone) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  try {
    return new Intl.DateTimeFormat(t.locale, { day: 'numeric', month: 'short', timeZone }).format(d);
  } catch {
    return new Intl.DateTimeFormat(t.locale, { day: 'numeric', month: 'short' }).format(d);
  }
}

/** dateWithYear formats a date as "14. sep. 2026" (for a printed page). */
export function dateWithYear(t, ms, timeZone) {
  const opts = { day: 'numeric', month: 'short', year: 'numeric' };
  try {
    return new Intl.DateTimeFormat(t.locale, { ...opts, timeZone }).format(new Date(ms));
  } catch {
    return new Intl.DateTimeFormat(t.locale, opts).format(new Date(ms));
  }
}

/** weekday names ISO weekday n (1 = Monday). */
export function weekday(t, n, style = 'long') {
  // 2024-01-01 was a Monday.
  return new Intl.DateTimeFormat(t.locale, { weekday: style, timeZone: 'UTC' }).format(new Date(Date.UTC(2024, 0, n)));
}

/** clock formats ms as m:ss. */
export function clock(ms) {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** protocolName returns the display name of a protocol. */
export function protocolName(t, p) {
  return t('protocol.' + (p || 'custom'));
}

/**
 * rpeWords returns the words for a Borg rating (6–20), or '' for one the
 * scale leaves without words; the timer and the manual form say the same.
 */
export function rpeWords(t, n) {
  const key = 'rpe.word.' + n;
  const words = t(key);
  return words === key ? '' : words;
}

/**
 * ratings lists the exertion of each interval joined by sep, "–" for one
 * not rated, or returns '' when none is rated.
 */
export function ratings(intervals, sep) {
  const list = intervals || [];
  return list.some((iv) => iv && iv.rpe != null) ? list.map((iv) => (iv && iv.rpe) ?? '–').join(sep) : '';
}

/** percent formats a share 0–1 as a whole percentage. */
export function percent(x) {
  return x == null ? '–' : `${Math.round(x * 100)} %`;
}

// FIELD_MESSAGES says in the user's words what is wrong with a field the
// server refused.
const FIELD_MESSAGES = {
  email: 'join.badEmail',
  password: 'join.shortPassword',
  name: 'join.needName',
  inviteCode: 'join.badCode',
  code: 'join.badCode',
};

// REASON_MESSAGES says it for a field refused for a reason of its own,
// by the start of the server's reason.
const REASON_MESSAGES = [
  ['password', 'too common', 'abuse.commonPassword'],
  ['inviteCode', 'required', 'abuse.inviteRequired'],
];

/** fieldMessage returns the message for the first field e names, or ''. */
export function fieldMessage(t, e) {
  const key = (e.details || []).map((d) => d && (
    REASON_MESSAGES.find(([field, reason]) => d.field === field && String(d.reason || '').startsWith(reason))?.[2]
    || FIELD_MESSAGES[d.field])).find(Boolean);
  return key ? t(key) : '';
}

/**
 * fitnessYears says a fitness age ({years, beyond}, as training.js's
 * fitnessAge gives it) in words: "48", "under 25", "over 75".
 */
export function fitnessYears(t, fa) {
  const n = Math.round(fa.years);
  if (fa.beyond) return t(n <= 25 ? 'body.under' : 'body.over', { n });
  return String(n);
}
