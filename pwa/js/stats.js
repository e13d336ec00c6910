// Progress numbers over session values, pure: weekly adherence against the
// plan, intensity, training load and heart-rate trend, and the next planned
// slot. The rules themselves (ISO weeks, load, intensity) are training.js's.

import { weekOf, localParts, load, intensityShare as shareOf, completion, counts } from './training.js';

/** lastWeeks returns the keys of the n ISO weeks ending with now's. */
export function lastWeeks(n, now, timeZone) {
  const out = [];
  for (let i = n - 1; i >= 0; i--) {
    const k = weekOf(now - i * 7 * 86400000, timeZone);
    if (!out.includes(k)) out.push(k);
  }
  return out;
}

/** sessionTime returns the start of a session in ms (NaN when unknown). */
export function sessionTime(s) {
  return Date.parse(s.startedAt);
}

/**
 * completionOf judges a stored session as training.CompletionOf does:
 * 'none' (shown, counts toward nothing), 'partial' or 'complete'. Every
 * logged interval is a work interval done, rated or not.
 */
export function completionOf(s) {
  return completion(s.protocol, (s.intervals || []).length, s.durationMin ?? 0);
}

/** sessionLoad is a session's load (null when its RPE or length is unknown). */
export function sessionLoad(s) {
  if (s.sessionRpe == null || s.durationMin == null) return null;
  return load(s.sessionRpe, s.durationMin);
}

/** ratings lists the exertion ratings of sessions' intervals (null: not rated). */
function ratings(sessions) {
  return sessions.flatMap((s) => (s.intervals || []).map((iv) => (iv ? iv.rpe ?? null : null)));
}

/**
 * weekly returns per-week figures for the given weeks, of the sessions
 * that count (completionOf); partial is how many of count were partial.
 * target may be null (no plan).
 */
export function weekly(sessions, weeks, target, timeZone) {
  const rows = weeks.map((w) => ({ week: w, count: 0, partial: 0, unrated: 0, target, load: 0, sessions: [], hr: [] }));
  const byWeek = Object.fromEntries(rows.map((r) => [r.week, r]));
  for (const s of sessions) {
    const t = sessionTime(s);
    if (Number.isNaN(t)) continue;
    const r = byWeek[weekOf(t, timeZone)];
    const c = completionOf(s);
    if (!r || !counts(c)) continue;
    r.count++;
    if (c === 'partial') r.partial++;
    r.sessions.push(s);
    const l = sessionLoad(s);
    if (l == null) r.unrated++;
    r.load += l || 0;
    for (const iv of s.intervals || []) if (iv && iv.hrPeak) r.hr.push(iv.hrPeak);
  }
  return rows.map(({ sessions: list, ...r }) => ({
    ...r,
    adherence: r.target ? Math.min(1, r.count / r.target) : null,
    intensity: intensityShare(list),
    hrPeak: r.hr.length ? Math.round(r.hr.reduce((a, b) => a + b, 0) / r.hr.length) : null,
  }));
}

/** intensityShare is the share of sessions' rated intervals that were hard (null when none). */
export function intensityShare(sessions) {
  return shareOf(ratings(sessions));
}

/** hrTrend returns [{t, hr}] of each session's highest recorded peak HR, oldest first. */
export function hrTrend(sessions) {
  return sessions
    .map((s) => ({ t: sessionTime(s), hr: Math.max(0, ...(s.intervals || []).map((iv) => (iv && iv.hrPeak) || 0)) }))
    .filter((p) => p.hr > 0 && !Number.isNaN(p.t))
    .sort((a, b) => a.t - b.t);
}

/**
 * nextSlot returns the next planned slot after now as {wd, time, inDays,
 * nextWeek, ms} (nextWeek: the slot lies in the next ISO week; ms
 * approximate, in the device clock), or null when the plan has no days.
 * With the option nextWeek, the slots left this week (Monday to Sunday)
 * are passed over: the week's goal is reached.
 */
export function nextSlot(plan, now, timeZone, { nextWeek = false } = {}) {
  if (!plan.days || !plan.days.length) return null;
  const p = localParts(now, timeZone);
  const [hh, mm] = (plan.time || '00:00').split(':').map(Number);
  const nowMin = p.hh * 60 + p.mm;
  for (let add = 0; add <= 14; add++) {
    const wd = ((p.wd - 1 + add) % 7) + 1;
    if (!plan.days.includes(wd)) continue;
    if (add === 0 && hh * 60 + mm <= nowMin) continue;
    const inNextWeek = p.wd + add > 7;
    if (nextWeek && !inNextWeek) continue;
    return { wd, time: plan.time || '', inDays: add, nextWeek: inNextWeek, ms: now + (add * 1440 + (hh * 60 + mm) - nowMin) * 60000 };
  }
  return null;
}
