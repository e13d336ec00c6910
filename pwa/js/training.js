// The domain rules of 4x4 training, the JS twin of the Go package training:
// HRmax and heart-rate zones, the session protocols, ISO weeks in the
// user's time zone, load and intensity. Pure; the vectors in
// training/testdata pin both sides to the same answers.

// Heart-rate targets of a 4x4 session, in percent of HRmax.
export const WORK_LOW_PCT = 85;
export const WORK_HIGH_PCT = 95;
export const RECOVERY_PCT = 70;

// The band shown for each kind of phase, in percent of HRmax.
const PHASE_PCT = {
  warmup: [60, 70],
  work: [WORK_LOW_PCT, WORK_HIGH_PCT],
  recovery: [65, 75],
  cooldown: [50, 65],
};

// HARD_RPE is the Borg RPE (6–20) from which an interval counts as hard.
export const HARD_RPE = 15;

/** roundDiv divides whole numbers, rounding halves away from zero. */
function roundDiv(a, b) {
  if (a < 0) return -roundDiv(-a, b);
  return Math.floor((a + Math.floor(b / 2)) / b);
}

/**
 * estimateHRMax is the HUNT estimate 211 − 0.64 × age (Nes et al., 2013),
 * rounded to whole beats in integers, as Go does.
 */
export function estimateHRMax(age) {
  return roundDiv(21100 - 64 * age, 100);
}

/**
 * hrMax returns the maximal heart rate to train by: the measured value when
 * there is one, else the estimate from the birth year (the age reached in
 * the UTC year of at, in ms); null when neither is known.
 */
export function hrMax(measured, birthYear, at) {
  if (Number(measured) > 0) return Number(measured);
  const age = new Date(at).getUTCFullYear() - Number(birthYear);
  return Number(birthYear) > 0 && age > 0 ? estimateHRMax(age) : null;
}

/** percent returns pct % of max rounded to whole beats (halves up). */
export function percent(max, pct) {
  return roundDiv(max * pct, 100);
}

/** targetZones returns the work zone {low, high} and the recovery target. */
export function targetZones(max) {
  return { work: { low: percent(max, WORK_LOW_PCT), high: percent(max, WORK_HIGH_PCT) }, recovery: percent(max, RECOVERY_PCT) };
}

/** phaseZone returns the band {low, high} for a phase kind, or null. */
export function phaseZone(kind, max) {
  const r = PHASE_PCT[kind];
  return r && max ? { low: percent(max, r[0]), high: percent(max, r[1]) } : null;
}

// The timed protocols: warm-up, reps work phases with recovery between them,
// cool-down; durations in seconds.
const SHAPES = {
  '4x4': { warmup: 600, reps: 4, work: 240, recovery: 180, cooldown: 300 },
  '3x3': { warmup: 600, reps: 3, work: 180, recovery: 180, cooldown: 300 },
  tabata: { warmup: 600, reps: 8, work: 20, recovery: 10, cooldown: 300 },
};

/** PROTOCOLS names every protocol a session may have; custom has no phases. */
export const PROTOCOLS = ['4x4', '3x3', 'tabata', 'custom'];

/** TIMED_PROTOCOLS are those the timer can guide. */
export const TIMED_PROTOCOLS = Object.keys(SHAPES);

/**
 * protocol returns {name, phases: [{kind, seconds}]} for a protocol name,
 * a fresh copy each time, or null for an unknown name.
 */
export function protocol(name) {
  if (name === 'custom') return { name, phases: [] };
  const p = Object.hasOwn(SHAPES, name) ? SHAPES[name] : null;
  if (!p) return null;
  const phases = [{ kind: 'warmup', seconds: p.warmup }];
  for (let i = 0; i < p.reps; i++) {
    if (i > 0) phases.push({ kind: 'recovery', seconds: p.recovery });
    phases.push({ kind: 'work', seconds: p.work });
  }
  phases.push({ kind: 'cooldown', seconds: p.cooldown });
  return { name, phases };
}

/** workIntervals is the number of work phases of a protocol. */
export function workIntervals(p) {
  return p.phases.filter((ph) => ph.kind === 'work').length;
}

/** totalSeconds is the planned length of a protocol. */
export function totalSeconds(p) {
  return p.phases.reduce((a, ph) => a + ph.seconds, 0);
}

/** localParts returns {y, m, d, hh, mm, wd} of a time in a time zone. */
export function localParts(ms, timeZone) {
  const opts = { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', weekday: 'short' };
  let f;
  try {
    f = new Intl.DateTimeFormat('en-GB', { ...opts, timeZone: timeZone || undefined });
  } catch {
    f = new Intl.DateTimeFormat('en-GB', opts);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  const wd = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 }[p.weekday];
  return { y: +p.year, m: +p.month, d: +p.day, hh: +p.hour, mm: +p.minute, wd };
}

/**
 * isoWeek returns the ISO 8601 week of a calendar date as "YYYY-Www":
 * weeks start on Monday, and week 1 holds the year's first Thursday.
 */
export function isoWeek(y, m, d) {
  const t = new Date(Date.UTC(y, m - 1, d));
  const wd = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - wd);
  const year = t.getUTCFullYear();
  const week = Math.ceil(((t - Date.UTC(year, 0, 1)) / 86400000 + 1) / 7);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/**
 * weekOf returns the ISO week of a time on the calendar of a time zone: a
 * session late on Sunday evening in Oslo belongs to that Sunday's week,
 * whatever the UTC date.
 */
export function weekOf(ms, timeZone) {
  const p = localParts(ms, timeZone);
  return isoWeek(p.y, p.m, p.d);
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

/** load is Foster's session load: session RPE (CR10) × minutes. */
export function load(sessionRpe, minutes) {
  return sessionRpe * minutes;
}

/**
 * intensityShare is the share (0–1) of rated intervals with RPE ≥ HARD_RPE,
 * given their ratings (null or 0: done but not rated); null when none is
 * rated.
 */
export function intensityShare(rpes) {
  const rated = rpes.filter((r) => r != null && r > 0);
  return rated.length ? rated.filter((r) => r >= HARD_RPE).length / rated.length : null;
}

/** CUSTOM_WORK_SECONDS: how long a custom session must last to count. */
const CUSTOM_WORK_SECONDS = 600;

/**
 * completion judges a session as Go's training.CompletionOf does: 'none'
 * (no work interval done: shown, counts toward nothing), 'partial' (some
 * work intervals, counts toward the week) or 'complete'. workDone is the
 * number of work intervals logged, rated or not; minutes the duration.
 * Without logged intervals the duration tells: warm-up and first work
 * interval make it partial, three quarters of the planned length complete.
 */
export function completion(protocolName, workDone, minutes) {
  const p = protocol(protocolName);
  const seconds = minutes * 60;
  const want = p ? workIntervals(p) : 0;
  if (!want) return workDone > 0 || seconds >= CUSTOM_WORK_SECONDS ? 'complete' : 'none';
  if (workDone >= want) return 'complete';
  if (workDone > 0) return 'partial';
  if (seconds >= totalSeconds(p) * 3 / 4) return 'complete';
  const firstWork = p.phases.findIndex((ph) => ph.kind === 'work');
  const firstWorkEnd = p.phases.slice(0, firstWork + 1).reduce((a, ph) => a + ph.seconds, 0);
  return seconds >= firstWorkEnd ? 'partial' : 'none';
}

/** counts reports whether a session of that completion counts toward the week. */
export function counts(c) {
  return c === 'partial' || c === 'complete';
}

// Mean VO2max (ml/kg/min) of healthy Norwegians by age group 20–29, 30–39,
// … 70+, whose middles are 25, 35, … 75 years: the HUNT3 Fitness Study
// (Loe et al., PLOS ONE 2013). The twin of training/fitness.go.
const FITNESS_REFERENCE = {
  female: [43, 40, 38, 34, 31, 27],
  male: [54, 49, 47, 42, 39, 34],
};
export const FITNESS_AGE_MIN = 25;
export const FITNESS_AGE_MAX = 75;

/**
 * fitnessAge returns {years, beyond}: the age at which the mean VO2max of
 * healthy Norwegians of that sex equals vo2max, interpolated between the
 * groups' middles and clamped to 25–75; beyond is true outside the
 * reference (years 25 then reads "under 25", 75 "over 75"). null when the
 * sex is unknown or vo2max is not a positive number.
 */
export function fitnessAge(sex, vo2max) {
  const ref = Object.hasOwn(FITNESS_REFERENCE, sex) ? FITNESS_REFERENCE[sex] : null;
  if (!ref || !(typeof vo2max === 'number' && vo2max > 0)) return null;
  const last = ref.length - 1;
  if (vo2max >= ref[0]) return { years: FITNESS_AGE_MIN, beyond: vo2max > ref[0] };
  if (vo2max <= ref[last]) return { years: FITNESS_AGE_MAX, beyond: vo2max < ref[last] };
  let i = 0;
  while (vo2max < ref[i + 1]) i++;
  const frac = (ref[i] - vo2max) / (ref[i] - ref[i + 1]);
  return { years: FITNESS_AGE_MIN + 10 * (i + frac), beyond: false };
}
