// Progress numbers, pure: ISO weeks in the user's time zone, weekly
// adherence against the plan, intensity (share of intervals at exertion
// 15 or more), training load (session RPE × minutes) and heart-rate trend.

/** localParts returns {y, m, d, hh, mm, wd} of a time in a time zone. */
export function localParts(ms, timeZone) {
  let f;
  try {
    f = new Intl.DateTimeFormat('en-GB', { timeZone: timeZone || undefined, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', weekday: 'short' });
  } catch {
    f = new Intl.DateTimeFormat('en-GB', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', weekday: 'short' });
  }
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  const wd = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 }[p.weekday];
  return { y: +p.year, m: +p.month, d: +p.day, hh: +p.hour, mm: +p.minute, wd };
}

/** isoWeek returns "YYYY-Www" for a calendar date. */
export function isoWeek(y, m, d) {
  const t = new Date(Date.UTC(y, m - 1, d));
  const wd = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - wd);
  const year = t.getUTCFullYear();
  const week = Math.ceil(((t - Date.UTC(year, 0, 1)) / 86400000 + 1) / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** weekOf returns the ISO week key of a time in a zone. */
export function weekOf(ms, timeZone) {
  const p = localParts(ms, timeZone);
  return isoWeek(p.y, p.m, p.d);
}

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

/** load is Foster's session load: session RPE × minutes (null when unknown). */
export function load(s) {
  if (s.sessionRpe == null || s.durationMin == null) return null;
  return s.sessionRpe * s.durationMin;
}

/** weekly returns per-week figures for the given weeks. */
export function weekly(sessions, weeks, target, timeZone) {
  const rows = weeks.map((w) => ({ week: w, count: 0, unrated: 0, target, load: 0, hard: 0, rated: 0, hr: [] }));
  const byWeek = Object.fromEntries(rows.map((r) => [r.week, r]));
  for (const s of sessions) {
    const t = sessionTime(s);
    if (Number.isNaN(t)) continue;
    const r = byWeek[weekOf(t, timeZone)];
    if (!r) continue;
    r.count++;
    const l = load(s);
    if (l == null) r.unrated++;
    r.load += l || 0;
    for (const iv of s.intervals || []) {
      if (iv && iv.hrPeak) r.hr.push(iv.hrPeak);
      if (!iv || iv.rpe == null) continue;
      r.rated++;
      if (iv.rpe >= 15) r.hard++;
    }
  }
  return rows.map((r) => ({
    ...r,
    adherence: r.target ? Math.min(1, r.count / r.target) : 0,
    intensity: r.rated ? r.hard / r.rated : null,
    hrPeak: r.hr.length ? Math.round(r.hr.reduce((a, b) => a + b, 0) / r.hr.length) : null,
  }));
}

/** intensityShare is the share of rated intervals at 15 or more (null when none). */
export function intensityShare(sessions) {
  let hard = 0;
  let n = 0;
  for (const s of sessions) for (const iv of s.intervals || []) {
    if (!iv || iv.rpe == null) continue;
    n++;
    if (iv.rpe >= 15) hard++;
  }
  return n ? hard / n : null;
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

/**
 * zonedTime returns the instant (ms) at which the wall clock in timeZone
 * reads the given date and time (the earlier one in a DST overlap).
 */
export function zonedTime(y, m, d, hh, mm, timeZone) {
  const want = Date.UTC(y, m - 1, d, hh, mm);
  let t = want;
  for (let i = 0; i < 3; i++) {
    const p = localParts(t, timeZone);
    const seen = Date.UTC(p.y, p.m - 1, p.d, p.hh, p.mm);
    if (seen === want) break;
    t += want - seen;
  }
  return t;
}
